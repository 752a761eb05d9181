"""``govcat harvest``: add a source, run it (with a dry run first), list sources and jobs."""
from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import func, select

from harvesters.cli import harvest
from registry.resources.models import Resource
from registry.search.outbox import backlog
from tests.harvesters.conftest import catalog_page, dataset_doc


def test_add_dry_run_run_and_jobs(app, db, world, remote):
    url = remote.serve("/catalog.ttl", catalog_page({f"{remote.url}/datasets/{n}": dataset_doc(n) for n in range(2)}))
    runner = CliRunner()
    added = runner.invoke(harvest, ["add", "dept-a", "--url", url, "--department", world.dept_a.credit_code,
                                    "--schedule", "1d", "--auth-header", "Authorization: Bearer hidden"],
                          obj=app)
    assert added.exit_code == 0, added.output
    listed = runner.invoke(harvest, ["list"], obj=app)
    source = json.loads(listed.output.splitlines()[0])
    assert source["name"] == "dept-a" and source["has_auth_header"] and "hidden" not in listed.output

    dry = runner.invoke(harvest, ["run", "dept-a", "--dry-run"], obj=app)
    assert dry.exit_code == 0 and "would create" in dry.output
    ran = runner.invoke(harvest, ["run", "dept-a", "--json"], obj=app)
    assert ran.exit_code == 0, ran.output
    report = json.loads(ran.output)
    assert (report["status"], report["created"], report["errors"]) == ("succeeded", 2, [])

    jobs = [json.loads(line) for line in runner.invoke(harvest, ["jobs", "dept-a"], obj=app).output.splitlines()]
    assert [(j["status"], j["created"]) for j in jobs] == [("succeeded", 2), ("dry_run", 2)]
    with db.reader() as session:
        assert backlog(session) == 0          # the run drained the search outbox


def test_a_failed_run_exits_non_zero_and_unknown_sources_are_errors(app, world, remote):
    runner = CliRunner()
    url = remote.serve("/catalog.ttl", b"", status=500)
    assert runner.invoke(harvest, ["add", "dept-a", "--url", url, "--department", world.dept_a.credit_code],
                         obj=app).exit_code == 0
    failed = runner.invoke(harvest, ["run", "dept-a"], obj=app)
    assert failed.exit_code == 1 and "HTTP 500" in failed.output
    assert runner.invoke(harvest, ["run", "nobody"], obj=app).exit_code == 1
    bad = runner.invoke(harvest, ["add", "x", "--url", url, "--department", "not-a-code"], obj=app)
    assert bad.exit_code == 1


def test_max_bytes_is_given_in_bytes_or_with_a_unit_and_changed_by_update(app, world):
    runner = CliRunner()
    added = runner.invoke(harvest, ["add", "big", "--url", "http://127.0.0.1:9/catalog.ttl", "--department",
                                    world.dept_a.credit_code, "--max-bytes", "1.5G"], obj=app)
    assert added.exit_code == 0, added.output
    assert json.loads(added.output)["max_bytes"] == int(1.5 * 1024 ** 3)
    updated = runner.invoke(harvest, ["update", "big", "--max-bytes", "500M"], obj=app)
    assert updated.exit_code == 0 and json.loads(updated.output)["max_bytes"] == 500 * 1024 ** 2
    back = runner.invoke(harvest, ["update", "big", "--max-bytes", "default"], obj=app)
    assert json.loads(back.output)["max_bytes"] is None
    assert runner.invoke(harvest, ["update", "big", "--max-bytes", "lots"], obj=app).exit_code != 0
    assert runner.invoke(harvest, ["update", "big", "--max-bytes", "100"], obj=app).exit_code == 1   # under 1 MB


def test_a_check_shows_what_to_set_then_defaults_bring_the_records_in(app, db, world, remote):
    foreign = {k: v for k, v in dataset_doc(1).items() if k not in ("share_type", "share_method")}
    untitled = {k: v for k, v in dataset_doc(2).items() if k != "title"}
    url = remote.serve("/c.ttl", catalog_page({f"{remote.url}/datasets/1": foreign,
                                               f"{remote.url}/datasets/2": untitled}))
    runner = CliRunner()
    checked = runner.invoke(harvest, ["add", "portal", "--url", url, "--department", world.dept_a.credit_code,
                                      "--check"], obj=app)
    assert checked.exit_code == 0, checked.output
    assert "To be completed" in checked.output and "share_type missing" in checked.output
    assert "--default share_type=VALUE (unconditional|conditional|none)" in checked.output
    assert "no title" in checked.output and "would create" in checked.output
    with db.reader() as session:
        assert session.scalar(select(func.count()).select_from(Resource)) == 0

    assert runner.invoke(harvest, ["update", "portal", "--default", "share_type=unconditional", "--default",
                                   "share_method=platform_api"], obj=app).exit_code == 0
    ran = runner.invoke(harvest, ["run", "portal", "--json"], obj=app)
    report = json.loads(ran.output)
    assert (report["created"], report["incomplete"], report["failed"]) == (1, 0, 1)
    assert ran.exit_code == 0          # a record was taken: the failed one is in the report


def test_a_run_whose_every_record_failed_exits_non_zero(app, world, remote):
    untitled = {k: v for k, v in dataset_doc(1).items() if k != "title"}
    url = remote.serve("/c.ttl", catalog_page({f"{remote.url}/datasets/1": untitled}))
    runner = CliRunner()
    runner.invoke(harvest, ["add", "portal", "--url", url, "--department", world.dept_a.credit_code], obj=app)
    ran = runner.invoke(harvest, ["run", "portal"], obj=app)
    assert ran.exit_code == 1 and ": failed;" in ran.output and "every record listed failed" in ran.output
