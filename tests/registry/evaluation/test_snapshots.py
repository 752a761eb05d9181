"""Snapshots: one a day, kept whole, and the trends read from them."""
from __future__ import annotations

import re

from datetime import timedelta

from click.testing import CliRunner

from registry.cli import main
from registry.db import utcnow
from registry.evaluation.models import EvaluationSnapshot
from registry.evaluation.snapshots import take_if_due, take_snapshot, trend

NOW = utcnow().replace(hour=12)


def test_trends_follow_the_snapshots_oldest_first(db, world, publish):
    a, b = world.dept_a, world.dept_b
    publish(a, NOW - timedelta(days=3), update_frequency="daily")            # 0 timely
    day1, day2, day3 = NOW - timedelta(days=2), NOW - timedelta(days=1), NOW
    take_snapshot(db, day1)          # published 1 day before: in time (2 days allowed)
    take_snapshot(db, day2)          # 2 days: still in time
    publish(b, day2, update_frequency="daily")
    take_snapshot(db, day3)          # a's is 3 days old: overdue
    with db.reader() as session:
        of_a, of_b, catalog = trend(session, a.id), trend(session, b.id), trend(session)
    assert [p["day"] for p in of_a] == [day1.date().isoformat(), day2.date().isoformat(), day3.date().isoformat()]
    assert [p["measures"]["timely_share"] for p in of_a] == [1.0, 1.0, 0.0]
    assert [p["score"] for p in of_a] == [100.0, 100.0, 50.0]
    assert [p["rank"] for p in of_a] == [1, 1, 2]
    assert [(p["score"], p["rank"]) for p in of_b] == [(None, None), (None, None), (100.0, 1)]
    assert [p["measures"]["resources"] for p in catalog] == [1, 1, 2]
    with db.reader() as session:
        assert [p["day"] for p in trend(session, a.id, days=2)] == [day2.date().isoformat(), day3.date().isoformat()]


def test_a_department_created_later_has_no_points_before(db, world, publish):
    take_snapshot(db, NOW - timedelta(days=1))
    with db.transaction() as session:
        session.add(EvaluationSnapshot(day=NOW.date(), taken_at=NOW, data={"catalog": {}, "departments": {}}))
    with db.reader() as session:
        assert len(trend(session, world.dept_a.id)) == 1
        assert trend(session, 999999) == []


def test_the_worker_takes_a_day_once_and_by_hand_replaces_it(db, world, publish):
    assert take_if_due(db, NOW) == NOW.date()
    assert take_if_due(db, NOW + timedelta(hours=1)) is None           # the day has one
    publish(world.dept_a, NOW)
    assert take_snapshot(db, NOW + timedelta(hours=2)) == NOW.date()    # by hand: fresh numbers
    with db.reader() as session:
        rows = session.query(EvaluationSnapshot).all()
        assert len(rows) == 1 and rows[0].data["catalog"]["measures"]["resources"] == 1
    assert take_if_due(db, NOW + timedelta(days=1)) == (NOW + timedelta(days=1)).date()


def test_govcat_evaluate_snapshot(database_url, tmp_path, monkeypatch, db, world, publish):
    publish(world.dept_a, utcnow())
    monkeypatch.setenv("GOVCAT_DATABASE_URL", database_url)
    monkeypatch.setenv("GOVCAT_INSTANCE", str(tmp_path / "instance"))
    result = CliRunner().invoke(main, ["evaluate", "snapshot"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert re.search(rf"evaluation snapshot of {utcnow().date().isoformat()} taken; the catalog's score: \d+\.\d",
                     result.output)
    with db.reader() as session:
        assert session.query(EvaluationSnapshot).count() == 1
