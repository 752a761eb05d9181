"""Benchmark: the catalog as DCAT-AP RDF — a page, a resource, the whole dump — rdflib and pyoxigraph side by side.

    .venv/bin/python bench/rdf.py --count 100000

Targets (issue #4, 2-core machine, 100,000 published resources): the whole catalog as Turtle in
≤ 60 s with peak memory ≤ 300 MB; one catalog page of 100 in ≤ 150 ms; one resource in ≤ 10 ms.
"Memory" is the peak RSS of the ``govcat export --format ttl`` process that writes the dump, and of
its largest worker process.
Each figure is given for the serialiser govcat uses (pyoxigraph, behind rdflib terms) and for
rdflib's own, so the choice stays visible.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_and_list import load  # noqa: E402
from registry import create_app  # noqa: E402
from registry.cli import init_database  # noqa: E402
from registry.db import get_db  # noqa: E402
from registry.rdf import services  # noqa: E402
from registry.rdf.formats import BY_EXTENSION  # noqa: E402
from registry.search import get_engine  # noqa: E402
from registry.search.query import SearchQuery  # noqa: E402
from registry.search.services import reindex  # noqa: E402


EXPORT = """
import resource, sys
from registry.cli import main
try:
    main(["export", "--format", "ttl", "-o", sys.argv[1]])
except SystemExit:
    pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
      file=sys.stderr)
"""


def timed(client, url: str, repeat: int) -> tuple[float, float, int]:
    client.get(url)
    timings = []
    size = 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        size = len(response.data)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    timings.sort()
    return statistics.median(timings), timings[max(int(len(timings) * 0.95) - 1, 0)], size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"GOVCAT_INSTANCE": instance, "GOVCAT_SEARCH_DRAIN_SECONDS": 0,
                          "GOVCAT_BASE_URL": "https://data.example.gov.cn"})
        init_database(app)
        load(app, args.count, 1000)
        reindex(get_db(app), get_engine(app))
        client = app.test_client()
        for label, url in [("catalog page of 100, Turtle", "/catalog.ttl?per_page=100"),
                           ("catalog page of 100, N-Triples", "/catalog.nt?per_page=100"),
                           ("catalog page of 100, JSON-LD", "/catalog.jsonld?per_page=100"),
                           ("one resource, Turtle", "/resources/5000.ttl"),
                           ("one resource, JSON-LD", "/resources/5000.jsonld")]:
            p50, p95, size = timed(client, url, args.repeat)
            print(f"{label:<32} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  ({size / 1024:.0f} KiB)")
        with app.test_request_context():
            site = services.settings()
            with get_db(app).reader() as session:
                sink = services.catalog_page(session, get_engine(app), SearchQuery(per_page=100, sort="modified"),
                                             site, lambda n: f"{site['base']}/catalog.ttl?page={n}")
            graph = sink.graph()
            for name, run in [("pyoxigraph Turtle", lambda: services.serialize(sink, BY_EXTENSION["ttl"])),
                              ("rdflib Turtle", lambda: graph.serialize(format="turtle")),
                              ("pyoxigraph N-Triples", lambda: services.serialize(sink, BY_EXTENSION["nt"])),
                              ("rdflib N-Triples", lambda: graph.serialize(format="nt"))]:
                started = time.perf_counter()
                for _ in range(5):
                    run()
                print(f"serialise a page of 100 ({len(sink)} triples) with {name:<22} "
                      f"{(time.perf_counter() - started) / 5 * 1000:7.1f} ms")
        # The whole catalog, as an operator would dump it: ``govcat export`` in a process of its own,
        # which reports its own peak memory and its workers' (a child forked from this large process
        # would report this process's memory as its own).
        started = time.perf_counter()
        target = Path(instance) / "catalog.ttl"
        report = subprocess.run([sys.executable, "-c", EXPORT, str(target)], capture_output=True, text=True, check=True,
                                env={**os.environ, "GOVCAT_INSTANCE": instance,
                                     "GOVCAT_BASE_URL": "https://data.example.gov.cn"})
        seconds = time.perf_counter() - started
        own, workers = report.stderr.strip().splitlines()[-1].split()
        print(f"whole catalog as Turtle (govcat export): {args.count} resources, "
              f"{target.stat().st_size / 2**20:.0f} MiB in {seconds:.1f} s; peak memory {int(own) / 1024:.0f} MB, "
              f"largest worker {int(workers) / 1024:.0f} MB")

if __name__ == "__main__":
    main()
