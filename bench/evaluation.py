"""Benchmark: the evaluation — every department's scorecard, a snapshot, a year of trends — over a big catalog.

    .venv/bin/python bench/evaluation.py --count 100000          # SQLite in a temporary folder
    .venv/bin/python bench/evaluation.py --count 100000 --database-url postgresql+psycopg://…
    .venv/bin/python bench/evaluation.py --count 100000 --database-url sqlite:////tmp/…/govcat.db   # again

A database that holds the catalog already (an earlier run's, named by --database-url) is used as it is.

Loads the catalog as bench/load_and_list.py does (the demo departments and generated resources,
published), spreads the publication times over the last two years so that timeliness has work to do,
then times: ``evaluate`` (every provider over every published resource, every department's scorecard
and the ranking), the API's answer and the CSV export through the app, ``take_snapshot``, and a
department's trend with a year of daily snapshots (366 rows) — each as wall-clock time and as this
process's CPU time (SQLite runs in the process; on a busy machine the CPU time is the steadier figure).  Results go to docs/performance.md by
hand, with the machine and the command.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_and_list import load  # noqa: E402
from registry import create_app  # noqa: E402
from registry.accounts.models import User  # noqa: E402
from registry.accounts.services import create_token, create_user  # noqa: E402
from registry.cli import init_database  # noqa: E402
from registry.db import get_db, utcnow  # noqa: E402
from registry.evaluation.models import EvaluationSnapshot  # noqa: E402
from registry.evaluation.scorecards import evaluate  # noqa: E402
from registry.evaluation.snapshots import snapshot_data, take_snapshot, trend  # noqa: E402
from registry.resources.models import Resource  # noqa: E402


def timed(repeat: int, work) -> list[tuple[float, float]]:
    timings = []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        work()
        timings.append(((time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000))
    return timings


def report(name: str, timings: list[tuple[float, float]]) -> None:
    wall, cpu = [t[0] for t in timings], [t[1] for t in timings]
    print(f"{name:<44} median {statistics.median(wall):8.1f} ms wall, {statistics.median(cpu):8.1f} ms CPU"
          f"   (max {max(wall):.1f} ms wall)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="govcat-bench-")
    url = args.database_url or f"sqlite:///{folder}/govcat.db"
    app = create_app({"GOVCAT_DATABASE_URL": url, "GOVCAT_INSTANCE": f"{folder}/instance", "GOVCAT_SECRET_KEY": "b"})
    init_database(app)
    database = get_db(app)
    now = utcnow()
    with database.reader() as session:
        loaded = session.scalar(select(func.count(Resource.id)))
    if loaded < args.count:
        print(f"loading {args.count} resources …", file=sys.stderr)
        load(app, args.count, 1_000)
        with database.transaction() as session:     # publication times spread over two years, by id
            for days in range(0, 730, 73):
                session.execute(update(Resource).where(Resource.id % 10 == days // 73)
                                .values(published_at=now - timedelta(days=days)))
            create_user(session, None, {"username": "bench", "password": "bench bench bench", "role": "admin"},
                        check_permission=False)
    with database.transaction() as session:
        _token, secret = create_token(session, session.scalar(select(User).where(User.username == "bench")),
                                      {"name": "bench"})
    with database.reader() as session:
        departments = session.scalar(select(func.count()).select_from(select(Resource.department_id).distinct()
                                                                     .subquery()))
    print(f"{max(loaded, args.count)} resources of {departments} departments; {url.split(':')[0]}")

    def evaluate_once():
        with database.reader() as session:
            evaluate(session)
    report("evaluate (every scorecard and the ranking)", timed(args.repeat, evaluate_once))
    client, headers = app.test_client(), {"Authorization": f"Bearer {secret}"}
    report("GET /api/v1/evaluation", timed(args.repeat, lambda: client.get("/api/v1/evaluation", headers=headers)))
    report("GET /api/v1/evaluation/export.csv",
           timed(args.repeat, lambda: client.get("/api/v1/evaluation/export.csv", headers=headers)))
    report("take_snapshot", timed(args.repeat, lambda: take_snapshot(database)))
    with database.transaction() as session:     # a year of daily snapshots
        evaluation = evaluate(session)
        data = snapshot_data(evaluation)
        session.query(EvaluationSnapshot).delete()
        session.add_all(EvaluationSnapshot(day=(now - timedelta(days=d)).date(), taken_at=now - timedelta(days=d),
                                           data=data) for d in range(366))
        some = evaluation.departments[0].department

    def trend_once():
        with database.reader() as session:
            assert len(trend(session, some.id)) == 366
    report("trend of one department (366 snapshots)", timed(args.repeat, trend_once))
    report("GET /api/v1/evaluation/departments/<code>", timed(args.repeat, lambda: client.get(
        f"/api/v1/evaluation/departments/{some.credit_code}", headers=headers)))


if __name__ == "__main__":
    main()
