"""Scheduled harvests: intervals, which sources are due, and the worker that runs them."""
from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner

from harvesters.cli import harvest, worker
from harvesters.models import HarvestJob, HarvestSource
from harvesters.base import STALE_AFTER
from harvesters import scheduling
from harvesters.scheduling import due_sources, is_due, parse_interval, snapshot_if_due
from registry.db import utcnow
from registry.evaluation.models import EvaluationSnapshot
from registry.evaluation.snapshots import is_due as snapshot_due
from tests.harvesters.conftest import catalog_page, dataset_doc


@pytest.mark.parametrize("text, expected", [("30m", timedelta(minutes=30)), ("6h", timedelta(hours=6)),
                                            (" 1d ", timedelta(days=1))])
def test_intervals(text, expected):
    assert parse_interval(text) == expected


@pytest.mark.parametrize("text", ["", "daily", "0 2 * * *", "1m", "5x", "-1h"])
def test_bad_schedules_are_refused(text):
    with pytest.raises(ValueError):
        parse_interval(text)


def test_a_bad_schedule_is_refused_when_the_source_is_added(app, world):
    result = CliRunner().invoke(harvest, ["add", "x", "--url", "http://127.0.0.1:9/catalog.ttl", "--department",
                                          world.dept_a.credit_code, "--schedule", "every day"], obj=app)
    assert result.exit_code == 2 and "30m, 6h or 1d" in result.output


def test_due_sources(app, db, world):
    runner = CliRunner()
    for name, schedule in [("hourly", "1h"), ("daily", "1d"), ("manual", None)]:
        args = ["add", name, "--url", f"http://127.0.0.1:9/{name}.ttl", "--department", world.dept_a.credit_code]
        assert runner.invoke(harvest, args + (["--schedule", schedule] if schedule else []), obj=app).exit_code == 0
    now = utcnow()
    with db.transaction() as session:
        daily = session.query(HarvestSource).filter_by(name="daily").one()
        session.add(HarvestJob(source_id=daily.id, status="succeeded", started_at=now - timedelta(hours=3),
                               finished_at=now - timedelta(hours=3), heartbeat_at=now - timedelta(hours=3)))
    with db.reader() as session:
        assert due_sources(session, now) == ["hourly"]                 # never ran; daily ran 3 h ago
        assert due_sources(session, now + timedelta(days=1)) == ["hourly", "daily"]
    with db.transaction() as session:
        session.query(HarvestSource).filter_by(name="hourly").one().active = False
    with db.reader() as session:
        assert due_sources(session, now) == []


def test_a_running_source_is_not_due_until_its_heartbeat_goes_stale(app, db, world):
    args = ["add", "hourly", "--url", "http://127.0.0.1:9/hourly.ttl", "--department", world.dept_a.credit_code,
            "--schedule", "1h"]
    assert CliRunner().invoke(harvest, args, obj=app).exit_code == 0
    now = utcnow()
    with db.transaction() as session:
        hourly = session.query(HarvestSource).filter_by(name="hourly").one()
        session.add(HarvestJob(source_id=hourly.id, status="running", started_at=now - timedelta(hours=2),
                               heartbeat_at=now))
    with db.reader() as session:
        assert due_sources(session, now) == [] and not is_due(session, "hourly", now)
        assert is_due(session, "hourly", now + STALE_AFTER)        # the job died without saying so


def test_the_worker_runs_what_is_due_once(app, db, world, remote):
    url = remote.serve("/catalog.ttl", catalog_page({f"{remote.url}/datasets/{n}": dataset_doc(n) for n in range(3)}))
    runner = CliRunner()
    assert runner.invoke(harvest, ["add", "dept-a", "--url", url, "--department", world.dept_a.credit_code,
                                   "--schedule", "6h"], obj=app).exit_code == 0
    first = runner.invoke(worker, ["--once"], obj=app)
    assert first.exit_code == 0 and "dept-a: succeeded, job 1: created 3, updated 0" in first.output
    again = runner.invoke(worker, ["--once"], obj=app)            # not due again for six hours
    assert again.exit_code == 0 and "dept-a" not in again.output
    assert client_total(app) == 3


def test_the_worker_takes_the_evaluation_snapshot_once_a_day(app, db, world):
    runner = CliRunner()
    first = runner.invoke(worker, ["--once"], obj=app)
    today = utcnow().date()
    assert first.exit_code == 0 and f"evaluation snapshot of {today.isoformat()} taken" in first.output
    again = runner.invoke(worker, ["--once"], obj=app)           # the day has its snapshot
    assert again.exit_code == 0 and "evaluation snapshot" not in again.output
    with db.reader() as session:
        assert [s.day for s in session.query(EvaluationSnapshot)] == [today]
        assert not snapshot_due(session)
    assert snapshot_if_due(db, now=utcnow() + timedelta(days=1)).startswith("evaluation snapshot of")


def test_a_failed_snapshot_does_not_stop_the_worker(app, db, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("the database went away")
    monkeypatch.setattr(scheduling, "take_if_due", broken)
    assert snapshot_if_due(db) == "evaluation snapshot: failed, tried again at the next look"


def client_total(app) -> int:
    return app.test_client().get("/api/v1/resources").get_json()["total"]
