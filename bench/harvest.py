"""Benchmark: harvesting a DCAT-AP catalog and a CKAN portal end to end, beside a plain rdflib pipeline.

    .venv/bin/python bench/harvest.py --count 100000
    .venv/bin/python bench/harvest.py --count 100000 --baseline-count 100000   # the baseline on everything
    .venv/bin/python bench/harvest.py --count 100000 --stages      # also each DCAT stage's cost, one core
    .venv/bin/python bench/harvest.py --count 100000 --single-file # the same catalog as one 1 GB Turtle file

Targets (issue #5, 2-core machine, embedded default: SQLite and the embedded search engine):

* a 100,000-dataset DCAT-AP catalog in Turtle, served from a local server (Hydra pages of 1,000,
  as govcat serves its own), harvested end to end — fetch, parse, map, schema, store, index — at
  ≥ 1,000 datasets/s with peak memory ≤ 1 GB (every process of the job together);
* a second run with nothing changed at ≥ 5,000 datasets/s, with zero writes to resources;
* a CKAN portal with 1,000 packages per page at ≥ 1,000 datasets/s.

The job is ``govcat harvest run NAME --json`` in its own process (the search outbox is drained
before it returns), timed from start to exit; memory is the peak of the sum of the resident sizes
of that process and its children, sampled every 50 ms.  The baseline is how a plain rdflib harvester
works: parse every page into one rdflib Graph, then walk it dataset by dataset with the same mapping
(``vocab.mapping.resource_from_rdf``) — parse and map only, nothing stored; it runs on
``--baseline-count`` datasets (the first pages) because its memory grows with the whole catalog.
The generated catalog is kept in ``--data`` and reused.  Results go to docs/performance.md by hand.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load_and_list import records  # noqa: E402
from registry.demo.catalog import load_departments  # noqa: E402

SITE = "https://dept.example.gov.cn"
PAGES = "https://pages.invalid/"
PROVIDER = load_departments()[0]["credit_code"]
PREFIXES = {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/", "vcard": "http://www.w3.org/2006/vcard/ns#",
            "xsd": "http://www.w3.org/2001/XMLSchema#", "govcat": "https://w3id.org/govcat/ns#",
            "csvw": "http://www.w3.org/ns/csvw#", "hydra": "http://www.w3.org/ns/hydra/core#",
            "spdx": "http://spdx.org/rdf/terms#"}


# -- the source catalog ------------------------------------------------------------------------------
def _documents(start: int, count: int) -> list[dict]:
    """Datasets ``start`` … ``start + count - 1`` of the source: the demo generator's realistic records."""
    from registry.resources.schemas import normalize_metadata

    branch = {d["credit_code"]: "3" for d in load_departments()}
    docs = []
    for n, data in enumerate(records(branch, start + count)):
        if n < start:
            continue
        data["classification"] = "101"                       # a basic-resources item any department may use
        data["title"] = f"{data['title']}（{n}）"
        docs.append(normalize_metadata({**data, "provider": PROVIDER}))
    return docs


def _write_dcat_page(args: tuple) -> None:
    import pyoxigraph as ox
    from rdflib import URIRef

    from vocab.mapping import resource_to_rdf
    from vocab.namespaces import HYDRA, new_graph

    folder, page, per_page, pages = args
    graph = new_graph()
    for n, doc in enumerate(_documents(page * per_page, per_page), start=page * per_page):
        resource_to_rdf(doc, base=SITE, subject=URIRef(f"{SITE}/dataset/{n}"), graph=graph)
    if page + 1 < pages:
        graph.add((URIRef(f"{PAGES}page-{page:05}.ttl"), HYDRA.next, URIRef(f"{PAGES}page-{page + 1:05}.ttl")))
    triples = ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    # The page links are relative: the server's address is known only when it runs.
    body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES).replace(f"<{PAGES}".encode(), b"<")
    (Path(folder) / f"page-{page:05}.ttl").write_bytes(body)


def _write_ckan_page(args: tuple) -> None:
    from types import SimpleNamespace

    from registry.ckan.mapping import package_dict

    folder, page, per_page, count = args
    publisher = SimpleNamespace(credit_code=PROVIDER, name="部门", name_en=None, level="province",
                                region_code="330000", active=True, created_at=None)
    packages = [package_dict({**doc, "id": n, "code": f"101/{900000 + n}", "created": "2024-01-01T00:00:00",
                              "modified": "2024-02-01T00:00:00"}, publisher, {}, f"{SITE}/resources/{n}")
                for n, doc in enumerate(_documents(page * per_page, per_page), start=page * per_page)]
    body = {"success": True, "result": {"count": count, "results": packages}}
    (Path(folder) / f"ckan-{page * per_page}.json").write_text(json.dumps(body, ensure_ascii=False))


def generate(folder: Path, kind: str, count: int, per_page: int) -> None:
    pages = -(-count // per_page)
    marker = folder / f"{kind}-{count}-{per_page}.done"
    if marker.exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    writer = _write_dcat_page if kind == "dcat" else _write_ckan_page
    jobs = [(str(folder), page, per_page, pages if kind == "dcat" else count) for page in range(pages)]
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(os.cpu_count() or 1) as pool:
        for done, _ in enumerate(pool.imap_unordered(writer, jobs), start=1):
            print(f"\r  writing the {kind} source: page {done}/{pages}  {time.perf_counter() - started:5.0f} s",
                  end="", file=sys.stderr)
    print(file=sys.stderr)
    marker.touch()


def write_single_file(folder: Path, count: int, per_page: int) -> Path:
    """The same catalog as one Turtle file, as a department that publishes one big file writes it: no
    paging, and each node shared between datasets (a region, a media type, the department) described
    once, not once a page."""
    import pyoxigraph as ox

    path = folder / f"catalog-{count}.ttl"
    if path.exists():
        return path
    pages = -(-count // per_page)
    described: set[str] = set()
    hydra = ox.NamedNode(PREFIXES["hydra"] + "next")
    with open(path.with_suffix(".part"), "wb") as out:
        for page in range(pages):
            kept, here = [], set()
            for triple in ox.parse(path=folder / f"page-{page:05}.ttl", format=ox.RdfFormat.TURTLE,
                                   base_iri=PAGES):
                subject = str(triple.subject)
                if triple.predicate == hydra or subject in described:
                    continue
                here.add(subject)
                kept.append(triple)
            described |= here
            out.write(ox.serialize(kept, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES))
            print(f"\r  writing the single-file catalog: page {page + 1}/{pages}", end="", file=sys.stderr)
    print(file=sys.stderr)
    path.with_suffix(".part").rename(path)
    return path


# -- the local server ----------------------------------------------------------------------------------
class _Handler(SimpleHTTPRequestHandler):
    """Files of the folder; CKAN's package_search answered from the page file of its ``start``."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".ttl": "text/turtle", ".json": "application/json"}

    def translate_path(self, path):
        parts = urlsplit(path)
        if parts.path.endswith("/package_search"):
            start = parse_qs(parts.query).get("start", ["0"])[0]
            return str(Path(self.directory) / "ckan" / f"ckan-{int(start)}.json")
        return super().translate_path(path)

    def log_message(self, *args):
        pass


def serve(folder: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[sys.argv.index("--port") + 1])),
                                 lambda *a: _Handler(*a, directory=str(folder)))
    server.serve_forever()


# -- measuring -----------------------------------------------------------------------------------------
def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            with open(f"/proc/{current}/statm") as statm:
                total += int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
    return total


def timed_command(argv: list[str], env: dict) -> tuple[float, int, str]:
    """Run ``argv``; return its wall time, the peak resident size of its process tree, its output."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample():
        while process.poll() is None:
            peak[0] = max(peak[0], _tree_rss(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed:\n{err[-3000:]}")
    return seconds, peak[0], out


def baseline(args: tuple) -> tuple[float, int, int]:
    """Parse the first pages into one rdflib Graph, then map every dataset; seconds, datasets, peak RSS."""
    import resource

    from rdflib import Graph
    from rdflib.namespace import RDF

    from vocab.mapping import resource_from_rdf
    from vocab.namespaces import DCAT

    folder, pages = args
    started = time.perf_counter()
    graph = Graph()
    for page in range(pages):
        graph.parse(str(Path(folder) / f"page-{page:05}.ttl"), format="turtle")
    docs = [resource_from_rdf(graph, dataset) for dataset in graph.subjects(RDF.type, DCAT.Dataset)]
    return time.perf_counter() - started, len(docs), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def stage_costs(folder: Path, pages: int = 3) -> list[tuple[str, float]]:
    """Milliseconds per dataset of each stage of the DCAT path, on one core, for the first pages."""
    from types import SimpleNamespace

    from rdflib import URIRef

    from harvesters.base import content_hash
    from harvesters.dcat import DcatHarvester, RecordGraph, parse_page, record_digest
    from registry.resources.schemas import normalize_metadata
    from vocab.profile import check_document

    harvester = DcatHarvester.__new__(DcatHarvester)
    harvester.source = SimpleNamespace(defaults=None, department=SimpleNamespace(credit_code=PROVIDER))
    timings: dict[str, float] = {}

    def timed(label, function, items):
        started = time.perf_counter()
        out = [function(item) for item in items]
        timings[label] = timings.get(label, 0) + time.perf_counter() - started
        return out

    count = 0
    for page in range(pages):
        body = (folder / f"page-{page:05}.ttl").read_bytes()
        parsed = timed("parse page (main)", lambda b: parse_page(b, "turtle", "http://bench/"), [body])[0]
        records = timed("records + digests (main)", lambda d: (d, text := parsed.record(d), record_digest(text)),
                        sorted(set(parsed.datasets)))
        graphs = timed("record graph (worker)", lambda r: (RecordGraph(r[1]), URIRef(r[0][1:-1])), records)
        docs = timed("read DCAT (worker)", harvester.map, graphs)
        docs = timed("schema (worker)", lambda d: normalize_metadata({**d, "provider": PROVIDER}), docs)
        timed("govcat profile (worker)", lambda d: check_document(d, "http://localhost"), docs)
        timed("content hash (worker)", content_hash, docs)
        count += len(records)
    return [(label, seconds * 1000 / count) for label, seconds in timings.items()]


def writes_snapshot(database_path: Path) -> tuple:
    """What a write to a harvested resource changes: versions, the audit trail, the search outbox, provenance."""
    import sqlite3

    with sqlite3.connect(database_path) as connection:
        return tuple(connection.execute(query).fetchone()[0] for query in (
            "SELECT coalesce(sum(version), 0) FROM resources", "SELECT count(*) FROM audit_events",
            "SELECT count(*) FROM search_outbox", "SELECT max(harvested_at) FROM harvest_records",
            "SELECT count(*) FROM resources"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--per-page", type=int, default=1_000)
    parser.add_argument("--ckan-count", type=int, default=None, help="default: --count")
    parser.add_argument("--baseline-count", type=int, default=10_000)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "govcat-bench-harvest")
    parser.add_argument("--stages", action="store_true", help="also time the DCAT path's stages, one core")
    parser.add_argument("--single-file", action="store_true",
                        help="only the DCAT catalog as one Turtle file (no paging), streamed from disk by the job")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.data)
        return
    ckan_count = args.ckan_count or args.count
    generate(args.data / "dcat", "dcat", args.count, args.per_page)
    if not args.single_file:
        generate(args.data / "ckan", "ckan", ckan_count, args.per_page)
    single = write_single_file(args.data / "dcat", args.count, args.per_page) if args.single_file else None
    if args.stages:
        from registry.collector import bulk_work

        with bulk_work():                       # as a job runs
            costs = stage_costs(args.data / "dcat")
        for label, ms in costs:
            print(f"  {label:<28} {ms:6.3f} ms a dataset", flush=True)

    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, __file__, "--serve", "--data", str(args.data), "--port", str(port)])
    base = f"http://127.0.0.1:{port}"
    try:
        time.sleep(1)
        sources = [("bench-dcat", "dcat", f"{base}/dcat/page-00000.ttl"), ("bench-ckan", "ckan", f"{base}/ckan")]
        groups = [(sources, [("DCAT, first run", "bench-dcat", args.count),
                             ("DCAT, nothing changed", "bench-dcat", args.count),
                             ("CKAN, first run", "bench-ckan", ckan_count)])]
        if single is not None:     # the same catalog in pages too, on an instance of its own, under the same load
            print(f"one Turtle file of {single.stat().st_size / 1e6:,.0f} MB", flush=True)
            groups = [([("bench-file", "dcat", f"{base}/dcat/{single.name}")],
                       [("DCAT one file, first run", "bench-file", args.count),
                        ("DCAT one file, unchanged", "bench-file", args.count)]),
                      (sources[:1], [("DCAT pages, first run", "bench-dcat", args.count)])]
        for group_sources, runs in groups:
            _run_group(group_sources, runs)
        if single is not None:
            return
        pages = -(-min(args.baseline_count, args.count) // args.per_page)
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            seconds, datasets, peak = pool.apply(baseline, ((str(args.data / "dcat"), pages),))
        print(f"{'plain rdflib (parse+map)':<24} {datasets / seconds:7.0f} datasets/s  {seconds:6.1f} s  "
              f"peak {peak / 2**20:6.0f} MB  on {datasets} datasets, nothing stored", flush=True)
    finally:
        server.terminate()


def _run_group(sources: list, runs: list) -> None:
    """Add ``sources`` to a fresh instance, then time each run (``govcat harvest run`` in its own process)."""
    with tempfile.TemporaryDirectory() as instance:
        env = {**os.environ, "GOVCAT_INSTANCE": instance, "GOVCAT_SEARCH_DRAIN_SECONDS": "0"}
        govcat = [str(Path(sys.executable).parent / "govcat")]
        subprocess.run(govcat + ["init"], env=env, check=True, capture_output=True)
        _load_departments(env)
        for name, kind, url in sources:
            subprocess.run(govcat + ["harvest", "add", name, "--type", kind, "--url", url, "--max-bytes", "8G",
                                     "--department", PROVIDER], env=env, check=True, capture_output=True)
        database = Path(instance) / "govcat.db"
        for label, name, count in runs:
            before = writes_snapshot(database)
            seconds, peak, out = timed_command(govcat + ["harvest", "run", name, "--json"], env)
            report = json.loads(out[out.index("{"):])
            after = writes_snapshot(database)
            print(f"{label:<24} {count / seconds:7.0f} datasets/s  {seconds:6.1f} s  peak {peak / 2**20:6.0f} MB  "
                  f"created {report['created']} updated {report['updated']} unchanged {report['unchanged']} "
                  f"failed {report['failed']} duplicates {report['duplicates']}  "
                  f"resources written: {'yes' if before != after else 'no'}", flush=True)
            if report["errors"]:
                print("   first error:", report["errors"][0], flush=True)


def _load_departments(env: dict) -> None:
    code = ("from registry import create_app\nfrom registry.db import get_db\n"
            "from registry.demo.catalog import load_departments\n"
            "from registry.departments.services import create_department\n"
            "app = create_app()\n"
            "with get_db(app).transaction() as session:\n"
            "    [create_department(session, None, d, check_permission=False) for d in load_departments()]\n")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
