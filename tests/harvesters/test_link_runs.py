"""Checking the published catalog's links: govcat check-links, the worker's schedule, the resource page."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from harvesters import link_runs
from harvesters.cli import check_links
from harvesters.scheduling import work
from registry.db import utcnow
from registry.links.services import AFTER_CHECK, link_checks, url_states
from tests.harvesters.link_server import LinkServer
from tests.registry.links.conftest import publish_with_links


@pytest.fixture
def server(app):
    app.config["GOVCAT_HARVEST_ALLOW"] = "127.0.0.0/8"      # the test server is on loopback, refused otherwise
    running = LinkServer()
    yield running
    running.stop()


def test_check_links_stores_every_outcome_and_prints_a_summary(app, db, world, server):
    live, dead, moved = server.url + "/ok/a", server.url + "/status/404", server.url + "/redirect/2"
    publish_with_links(db, world, world.dept_a, (live, dead), (moved, "ftp://files.example.gov.cn/a.csv"))
    publish_with_links(db, world, world.dept_b, ("http://10.9.8.7/data", None))
    ran = CliRunner().invoke(check_links, [], obj=app)
    assert ran.exit_code == 0, ran.output
    assert "checked 5 of 5 links" in ran.output and "2 answered, 2 dead, 1 not checkable" in ran.output
    assert "HTTP 404 Not Found" in ran.output and "address refused" in ran.output
    with db.reader() as session:
        rows = link_checks(session, [live, dead, moved, "http://10.9.8.7/data"])
    assert rows[live].ok and rows[moved].ok and (rows[moved].redirects, rows[moved].final_url) == \
        (2, server.url + "/ok/landed")
    assert (rows[dead].ok, rows[dead].status, rows[dead].error) == (False, 404, "HTTP 404 Not Found")
    assert rows["http://10.9.8.7/data"].error == "address refused: 10.9.8.7: 10.9.8.7 is a private address"


def test_check_links_by_department_and_age(app, db, world, server):
    mine, theirs = server.url + "/ok/mine", server.url + "/ok/theirs"
    publish_with_links(db, world, world.dept_a, (mine, None))
    publish_with_links(db, world, world.dept_b, (theirs, None))
    app.config["GOVCAT_LINK_CHECK_EVERY"] = "7d"
    runner = CliRunner()
    ran = runner.invoke(check_links, ["--department", world.dept_a.credit_code, "--json"], obj=app)
    assert ran.exit_code == 0 and json.loads(ran.stdout)["checked"] == 1
    with db.reader() as session:
        assert url_states(session, [mine, theirs]) == {mine: True}
    stale = runner.invoke(check_links, ["--older-than", "1d", "--json"], obj=app)     # only the one never checked
    assert json.loads(stale.stdout)["checked"] == 1 and server.requests.count(("HEAD", "/ok/mine")) == 1
    assert json.loads(runner.invoke(check_links, ["--only-stale", "--json"], obj=app).stdout)["checked"] == 0
    assert json.loads(runner.invoke(check_links, ["--json"], obj=app).stdout)["checked"] == 2


@pytest.mark.parametrize("args, message", [(["--department", "91330000MA00000000"], "error"),
                                           (["--older-than", "soon"], "interval"),
                                           (["--only-stale", "--older-than", "1d"], "one of them"),
                                           (["--concurrency", "0"], "0"),
                                           (["--only-stale"], "GOVCAT_LINK_CHECK_EVERY (it is off)")])
def test_check_links_refuses_bad_options(app, world, args, message):
    ran = CliRunner().invoke(check_links, args, obj=app)
    assert ran.exit_code != 0 and message in ran.output


def test_after_check_callbacks_run_for_the_checked_resources(app, db, world, server):
    resource_id = publish_with_links(db, world, world.dept_a, (server.url + "/ok/x", None))
    calls = []
    AFTER_CHECK.append(lambda session, ids: calls.append(ids))
    try:
        assert CliRunner().invoke(check_links, [], obj=app).exit_code == 0
    finally:
        AFTER_CHECK.pop()
    assert calls == [[resource_id]]


def test_the_worker_checks_the_oldest_links_in_batches_on_its_schedule(app, db, world, server):
    urls = [f"{server.url}/ok/{n}" for n in range(5)]
    publish_with_links(db, world, world.dept_a, *[(url, None) for url in urls])
    app.config.update(GOVCAT_LINK_CHECK_EVERY="1d", GOVCAT_LINK_CHECK_BATCH=3)
    schedule, lines = link_runs.LinkSchedule(app), []
    work(db, lambda name: None, poll=0, once=True, echo=lines.append,
         also=lambda: [s.line()] if (s := schedule.run_if_time()) else [])
    checks = [line for line in lines if "links" in line]        # the day's evaluation snapshot says so too
    assert len(checks) == 1 and "checked 3 of 3 links" in checks[0]
    assert schedule.run_if_time().checked == 2          # the batch was full: more were due, looked again at once
    assert schedule.run_if_time() is None                # then not before ten minutes
    assert schedule.run_if_time(utcnow() + timedelta(minutes=11)) is None      # nothing older than a day
    later = link_runs.run_scheduled(app, now=utcnow() + timedelta(days=2))
    assert later.checked == 3
    with db.reader() as session:
        rows = link_checks(session, urls)
    assert sorted(row.checks for row in rows.values()) == [1, 1, 2, 2, 2]   # the oldest were checked again
    app.config["GOVCAT_LINK_CHECK_EVERY"] = ""
    assert link_runs.run_scheduled(app, now=utcnow() + timedelta(days=9)) is None


def test_the_resource_page_shows_each_links_state(app, client, db, world, server):
    live, dead = server.url + "/ok/a", server.url + "/status/500"
    resource_id = publish_with_links(db, world, world.dept_a, (live, dead), ("https://later.example.gov.cn/", None))
    assert CliRunner().invoke(check_links, ["--department", world.dept_b.credit_code], obj=app).exit_code == 0
    page = client.get(f"/resources/{resource_id}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert page.count("尚未检查") == 3
    checker = link_runs.checker_for(app.config)
    link_runs.check_links(db, checker, department_ids=[world.dept_a.id])
    checker.close()
    page = client.get(f"/resources/{resource_id}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "✓ 可访问" in page and "✗ 失效</strong>: 服务器返回 HTTP 500" in page
    assert "later.example.gov.cn" in page
    english = client.get(f"/resources/{resource_id}?lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Download link" in english and "answered" in english and "dead</strong>: HTTP 500 Internal Server Error" in english


def test_an_interrupted_run_keeps_the_results_it_had(app, db, world, server, monkeypatch):
    urls = [f"{server.url}/ok/{n}" for n in range(6)]
    publish_with_links(db, world, world.dept_a, *[(url, None) for url in urls])
    monkeypatch.setattr(link_runs, "WRITE_EVERY", 2)

    def stop_at_the_third(summary):
        if summary.checked == 3:
            raise KeyboardInterrupt

    with link_runs.checker_for(app.config, concurrency=1) as checker, pytest.raises(KeyboardInterrupt):
        link_runs.check_links(db, checker, progress=stop_at_the_third)
    with db.reader() as session:
        states = url_states(session, urls)
    assert len(states) == 3 and all(states.values())
