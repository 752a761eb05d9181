"""Benchmark: load resources through the service layer, then list pages of them from the database.

    .venv/bin/python bench/load_and_list.py --count 100000            # SQLite in a temp folder
    .venv/bin/python bench/load_and_list.py --count 100000 --database-url postgresql+psycopg://…

Targets (issue #2, on a 2-core machine): 100,000 resources in under 60 s on SQLite, one transaction
per batch; a page of 50 out of 100,000 in under 20 ms.  The resources are the demo generator's
realistic records (data items, distributions, services), repeated with new seeds up to the count.
The listings are the database's (``list_resources``): what the API answers when the search engine is
away; with the engine, listings are searches (bench/search.py).
Results go to docs/performance.md by hand, with the machine and the command.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from registry import create_app  # noqa: E402
from registry.cli import init_database  # noqa: E402
from registry.db import get_db  # noqa: E402
from registry.demo.catalog import generate_resources, load_departments  # noqa: E402
from registry.departments.services import create_department  # noqa: E402
from registry.resources.services import (list_resources, prepare_registration,  # noqa: E402
                                         register_resources, resource_representation)


def records(branch_codes: dict, count: int):
    seed, produced = 0, 0
    while produced < count:
        for data in generate_resources(branch_codes, seed=seed):
            if seed:
                data["title"] = f"{data['title']}（{seed}）"
            yield data
            produced += 1
            if produced == count:
                return
        seed += 1


def load(app, count: int, batch: int) -> float:
    database = get_db(app)
    with database.transaction() as session:
        departments = [create_department(session, None, d, check_permission=False) for d in load_departments()]
        branch_codes = {d.credit_code: d.branch_code for d in departments}
    pending = list(records(branch_codes, count))      # generated up front: time only the loading
    started = time.perf_counter()
    for offset in range(0, count, batch):
        with database.transaction() as session:
            prepared = [prepare_registration(session, None, data, check_permission=False)
                        for data in pending[offset:offset + batch]]
            register_resources(session, None, prepared, publish=True)
        done = min(offset + batch, count)
        elapsed = time.perf_counter() - started
        print(f"\r  loaded {done:>7}/{count}  {done / elapsed:8.0f} resources/s", end="", file=sys.stderr)
    print(file=sys.stderr)
    return time.perf_counter() - started


def time_listing(app, repeat: int, **filters) -> list[float]:
    database = get_db(app)
    timings = []
    for n in range(repeat + 1):
        with database.reader() as session:
            started = time.perf_counter()
            page, _ = list_resources(session, None, **filters)
            items = [resource_representation(r, "published") for r in page.items]
            elapsed = (time.perf_counter() - started) * 1000
        assert len(items) == min(page.per_page, max(page.total - (page.page - 1) * page.per_page, 0))
        if n:                      # the first run warms the caches
            timings.append(elapsed)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        config = {"GOVCAT_INSTANCE": folder}
        if args.database_url:
            config["GOVCAT_DATABASE_URL"] = args.database_url
        app = create_app(config)
        init_database(app)
        engine = get_db(app).write_engine.dialect.name
        seconds = load(app, args.count, args.batch)
        print(f"load: {args.count} resources on {engine} in {seconds:.1f} s "
              f"({args.count / seconds:.0f}/s, batches of {args.batch})")
        department = load_departments()[5]["credit_code"]
        for label, filters in [("first page of 50", {}), ("page 1000 of 50", {"page": 1000}),
                               ("department filter", {"department": department}),
                               ("classification filter", {"classification": "2"})]:
            timings = sorted(time_listing(app, args.repeat, per_page=50, **filters))
            print(f"list {label:<22} p50 {statistics.median(timings):6.1f} ms   "
                  f"p95 {timings[int(len(timings) * 0.95) - 1]:6.1f} ms")
        get_db(app).dispose()


if __name__ == "__main__":
    main()
