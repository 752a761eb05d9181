"""link_health: per department, its distinct links checked, those that answered, and the share."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from registry.links.indicators import link_health
from registry.links.services import record_results
from tests.registry.links.conftest import publish_with_links

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)


def store(db, states: dict, at: datetime = T0) -> None:
    with db.transaction() as session:
        record_results(session, [{"url": url, "ok": ok, "status": 200 if ok else None, "error": None if ok else "dead",
                                  "final_url": None, "redirects": 0, "elapsed_ms": 5, "checked_at": at}
                                 for url, ok in states.items()], users={})


def test_each_department_counts_its_own_distinct_links(db, world):
    publish_with_links(db, world, world.dept_a, ("http://a/1", "http://a/1.csv"), ("http://a/2", None))
    publish_with_links(db, world, world.dept_a, ("http://a/1", None))                   # the same link again
    publish_with_links(db, world, world.dept_b, ("http://b/1", None), ("ftp://b/2", None))
    store(db, {"http://a/1": True, "http://a/1.csv": False, "http://b/1": True, "ftp://b/2": None})
    with db.reader() as session:
        health = link_health(session)
    assert health[world.dept_a.id] == {"links_checked": 2, "links_ok": 1, "links_ok_share": 0.5}
    assert health[world.dept_b.id] == {"links_checked": 1, "links_ok": 1, "links_ok_share": 1.0}


def test_a_department_with_nothing_checked_is_not_measurable(db, world):
    publish_with_links(db, world, world.dept_a, ("http://a/1", None))
    with db.reader() as session:
        health = link_health(session)
    assert health[world.dept_a.id] == {"links_checked": 0, "links_ok": 0, "links_ok_share": None}
    assert health[world.dept_b.id]["links_ok_share"] is None


def test_results_after_now_do_not_count(db, world):
    publish_with_links(db, world, world.dept_a, ("http://a/1", None), ("http://a/2", None))
    store(db, {"http://a/1": True})
    store(db, {"http://a/2": False}, T0 + timedelta(days=2))
    with db.reader() as session:
        assert link_health(session, T0 + timedelta(days=1))[world.dept_a.id]["links_checked"] == 1
        assert link_health(session)[world.dept_a.id] == {"links_checked": 2, "links_ok": 1, "links_ok_share": 0.5}
