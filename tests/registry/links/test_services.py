"""Link states: stored one row per URL with counters, read back for other parts, callbacks after a check."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from registry.links import services
from registry.links.models import LinkCheck
from registry.links.services import (AFTER_CHECK, document_urls, due_urls, published_links, record_results,
                                     url_states)
from registry.resources.services import prepare_registration, register_resources
from tests.factories import ResourceDataFactory
from tests.registry.links.conftest import publish_with_links

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)


def result(url: str, ok: bool | None, at: datetime = T0, **fields) -> dict:
    return {"url": url, "ok": ok, "status": fields.get("status", 200 if ok else 404 if ok is False else None),
            "error": fields.get("error"), "final_url": fields.get("final_url"), "redirects": fields.get("redirects", 0),
            "elapsed_ms": 12, "checked_at": at}


@pytest.fixture
def callbacks():
    calls = []
    AFTER_CHECK.append(lambda session, ids: calls.append(list(ids)))
    yield calls
    AFTER_CHECK.pop()


def test_document_urls_are_the_distributions_access_and_download_urls_once():
    doc = {"distributions": [{"access_url": "http://a/1", "download_url": "http://a/1.csv"},
                             {"access_url": "http://a/1", "download_url": " "}],
           "data_services": [{"endpoint_url": "http://a/api"}], "landing_page": "http://a/"}
    assert document_urls(doc) == ["http://a/1", "http://a/1.csv"]
    assert document_urls(None) == []


def test_states_are_true_false_or_absent(db):
    with db.transaction() as session:
        record_results(session, [result("http://a/ok", True), result("http://a/dead", False),
                                 result("ftp://a/file", None)], users={})
    with db.reader() as session:
        states = url_states(session, ["http://a/ok", "http://a/dead", "ftp://a/file", "http://a/never"])
    assert states == {"http://a/ok": True, "http://a/dead": False, "ftp://a/file": None}


def test_a_url_keeps_one_row_with_its_counters(db):
    url = "http://a/" + "x" * 5000                       # longer than an index entry may be
    with db.transaction() as session:
        record_results(session, [result(url, True, T0)], users={})
    with db.transaction() as session:
        record_results(session, [result(url, False, T0 + timedelta(days=1), error="HTTP 404 Not Found")], users={})
        record_results(session, [result(url, False, T0 + timedelta(days=2), error="connection refused",
                                        status=None)], users={})
    with db.reader() as session:
        row = session.scalar(select(LinkCheck))
        assert session.scalar(select(func.count()).select_from(LinkCheck)) == 1
    assert (row.url, row.ok, row.status, row.error) == (url, False, None, "connection refused")
    assert (row.checks, row.failures, row.last_ok_at) == (3, 2, T0)
    with db.transaction() as session:
        record_results(session, [result(url, True, T0 + timedelta(days=3), redirects=2, final_url="http://b/")],
                       users={})
    with db.reader() as session:
        row = session.scalar(select(LinkCheck))
    assert (row.checks, row.failures, row.last_ok_at, row.redirects, row.final_url) == \
        (4, 0, T0 + timedelta(days=3), 2, "http://b/")


def test_published_links_name_their_resources_and_drafts_are_left_out(db, world):
    shared = "https://data.example.gov.cn/shared"
    first = publish_with_links(db, world, world.dept_a, (shared, "https://data.example.gov.cn/1.csv"))
    second = publish_with_links(db, world, world.dept_b, (shared, None))
    with db.transaction() as session:
        draft = prepare_registration(session, world.admin.user, {
            **ResourceDataFactory(distributions=[{"title": "d", "access_url": "https://draft.example.gov.cn/"}]),
            "provider": world.dept_a.credit_code}, check_permission=False)
        register_resources(session, world.admin.user, [draft])
    with db.reader() as session:
        users, owners = published_links(session)
        only_b, _ = published_links(session, [world.dept_b.id])
    assert users == {shared: {first, second}, "https://data.example.gov.cn/1.csv": {first}}
    assert owners == {first: world.dept_a.id, second: world.dept_b.id}
    assert only_b == {shared: {second}}


def test_due_urls_never_checked_first_then_the_oldest(db):
    with db.transaction() as session:
        record_results(session, [result("http://a/old", True, T0),
                                 result("http://a/older", False, T0 - timedelta(days=9)),
                                 result("http://a/new", True, T0 + timedelta(days=6))], users={})
    urls = ["http://a/new", "http://a/old", "http://a/never", "http://a/older"]
    with db.reader() as session:
        assert due_urls(session, urls) == ["http://a/never", "http://a/older", "http://a/old", "http://a/new"]
        assert due_urls(session, urls, checked_before=T0 + timedelta(days=1)) == \
            ["http://a/never", "http://a/older", "http://a/old"]
        assert due_urls(session, urls, limit=2) == ["http://a/never", "http://a/older"]


def test_after_a_check_the_callbacks_get_the_resources_naming_the_urls(db, world, callbacks):
    one = publish_with_links(db, world, world.dept_a, ("https://x.example.gov.cn/a", "https://x.example.gov.cn/a.csv"))
    two = publish_with_links(db, world, world.dept_b, ("https://x.example.gov.cn/a", None))
    publish_with_links(db, world, world.dept_b, ("https://x.example.gov.cn/other", None))
    with db.transaction() as session:
        assert record_results(session, [result("https://x.example.gov.cn/a", True)]) == sorted([one, two])
    assert callbacks == [sorted([one, two])]


def test_a_failing_callback_leaves_nothing_written(db, world):
    publish_with_links(db, world, world.dept_a, ("https://x.example.gov.cn/a", None))

    def broken(session, ids):
        raise RuntimeError("recompute failed")

    services.AFTER_CHECK.append(broken)
    try:
        with pytest.raises(RuntimeError), db.transaction() as session:
            record_results(session, [result("https://x.example.gov.cn/a", True)])
    finally:
        services.AFTER_CHECK.remove(broken)
    with db.reader() as session:
        assert url_states(session, ["https://x.example.gov.cn/a"]) == {}
