"""Benchmark: score the metadata quality of the 100,000-resource benchmark catalog.

    .venv/bin/python bench/quality.py --count 100000

Loads the catalog as bench/load_and_list.py does (the load scores each resource as it is written,
from the schema's findings it already has), then empties the score table and times what
``govcat quality recompute`` does on an upgraded catalog: read every document, judge it with the
resource schema, score both versions, write the scores and history, queue them for the index.
A second run times a rescore that changes nothing (what a link check's recompute costs per
resource).  It also times pySHACL on the official DCAT-AP shapes for a few resources, to show why
the score decides "DCAT-AP compliant" from the schema's findings instead (docs/evaluation.md).

``--baseline N`` loads N resources a second time, into a database of their own, with scoring switched
off: the difference is what keeping scores current costs a bulk load.

Target (issue #14, on a 2-core machine): the whole catalog scored in at most 60 s.  Results go to
docs/performance.md by hand, with the machine and the command.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_and_list import load  # noqa: E402
from registry import create_app  # noqa: E402
from registry.cli import init_database  # noqa: E402
from registry.db import get_db  # noqa: E402
from registry.quality.models import QualityHistory, QualityScore  # noqa: E402
from registry.quality.services import recompute_all  # noqa: E402

STANDARDS = Path(__file__).resolve().parents[2] / "shared" / "standards" / "dcat-ap-3.0.1"


def progress(done: int, total: int) -> None:
    print(f"\r  scored {done:>7}/{total}", end="", file=sys.stderr)


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children: what the work costs whatever else runs."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def time_recompute(database, jobs: int | None) -> tuple[float, float, dict]:
    started, cpu = time.perf_counter(), cpu_seconds()
    counts = recompute_all(database, jobs=jobs, progress=progress)
    print(file=sys.stderr)
    return time.perf_counter() - started, cpu_seconds() - cpu, counts


def time_shacl(count: int) -> float | None:
    """Milliseconds per resource of pySHACL with the DCAT-AP shapes (None without the shapes)."""
    if not (STANDARDS / "html" / "shacl" / "shapes.ttl").is_file():
        return None
    from registry.demo.catalog import generate_resources, load_departments
    from vocab.catalog import catalog_to_rdf
    from vocab.schemes import concept_schemes_graph
    from vocab.validation import validate

    departments = load_departments()
    for n, department in enumerate(departments):
        department["branch_code"] = f"3{n + 10:02d}"
    docs = generate_resources({d["credit_code"]: d["branch_code"] for d in departments})[:count + 1]
    schemes = concept_schemes_graph("https://data.example.gov.cn", departments)
    by_code = {d["credit_code"]: d for d in departments}
    timings = []
    for n, doc in enumerate(docs):
        started = time.process_time()
        graph = catalog_to_rdf([{"code": f"{doc['classification']}/{n + 1:06d}", **doc}],
                               base="https://data.example.gov.cn", title="目录", description="对照。",
                               publisher={"name": "目录管理中心"}, departments=by_code)
        validate(graph, "dcat-ap", standards_dir=STANDARDS, background=schemes)
        timings.append(time.process_time() - started)
    return sum(timings[1:]) / len(timings[1:]) * 1000      # CPU ms; the first one parses the shapes


def baseline(count: int, batch: int) -> None:
    """Load ``count`` resources with and without scores, in fresh SQLite databases; print the CPU time."""
    from registry.resources import services

    scoring = services.score_written
    for label, hook in (("with scores", scoring), ("without scores", lambda *a, **k: None)):
        services.score_written = hook
        try:
            with tempfile.TemporaryDirectory() as folder:
                app = create_app({"GOVCAT_INSTANCE": folder})
                init_database(app)
                cpu = cpu_seconds()
                seconds = load(app, count, batch)
                print(f"load {count} {label}: {seconds:.1f} s, {cpu_seconds() - cpu:.1f} CPU s")
                get_db(app).dispose()
        finally:
            services.score_written = scoring


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--jobs", type=int, default=None, help="scoring processes (default: one a core)")
    parser.add_argument("--shacl-sample", type=int, default=20)
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    parser.add_argument("--baseline", type=int, default=0, help="also load this many without scoring (SQLite)")
    args = parser.parse_args()
    if args.baseline:
        baseline(args.baseline, args.batch)
    with tempfile.TemporaryDirectory() as folder:
        config = {"GOVCAT_INSTANCE": folder}
        if args.database_url:
            config["GOVCAT_DATABASE_URL"] = args.database_url
        app = create_app(config)
        init_database(app)
        database = get_db(app)
        cpu = cpu_seconds()
        seconds = load(app, args.count, args.batch)
        print(f"load (scores written with each batch): {args.count} resources in {seconds:.1f} s "
              f"({args.count / seconds:.0f}/s), {cpu_seconds() - cpu:.1f} CPU s")
        with database.transaction() as session:
            session.execute(QualityHistory.__table__.delete())
            session.execute(QualityScore.__table__.delete())
        seconds, cpu, counts = time_recompute(database, args.jobs)
        print(f"score the whole catalog from nothing: {counts['scored']} resources in {seconds:.1f} s "
              f"({counts['scored'] / seconds:.0f}/s), {cpu:.1f} CPU s, {counts['changed']} scores written")
        seconds, cpu, counts = time_recompute(database, args.jobs)
        print(f"rescore, nothing changed: {counts['scored']} resources in {seconds:.1f} s, {cpu:.1f} CPU s, "
              f"{counts['changed']} changed")
        shacl = time_shacl(args.shacl_sample)
        if shacl is not None:
            print(f"pySHACL, official DCAT-AP shapes (shapes + range): {shacl:.1f} CPU ms a resource, "
                  f"{shacl * args.count / 1000 / 60:.0f} min for {args.count} on one core")
        database.dispose()


if __name__ == "__main__":
    main()
