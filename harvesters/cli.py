"""``govcat harvest``: register harvest sources, run them, and read their jobs.

A run prints its job report (counters and per-record errors) and then drains the search outbox,
so harvested changes are searchable when the command returns; an engine outage leaves them
queued for the next drain.  Tests pass their app as the click context object.
"""
from __future__ import annotations

import json
import sys

import click
from flask import Flask

from harvesters import services
from harvesters.base import JobAlreadyRunning
from harvesters.models import PUBLISH_POLICIES
from registry.db import get_db
from registry.errors import ServiceError


def _app(ctx: click.Context) -> Flask:
    if isinstance(ctx.obj, Flask):
        return ctx.obj
    from registry import create_app
    return create_app()


def _fail(error: ServiceError) -> None:
    click.echo(f"error: {error.en} ({error.zh})", err=True)
    sys.exit(1)


@click.group(help="Harvest sources (采集源): department systems the catalog pulls metadata from.")
def harvest() -> None:
    pass


@harvest.command("add")
@click.argument("name")
@click.option("--type", "source_type", default="dcat", show_default=True, type=click.Choice(sorted(services.SOURCE_TYPES)))
@click.option("--url", required=True, help="Address of the catalog (its first page).")
@click.option("--department", required=True, help="Credit code of the department whose records these are.")
@click.option("--schedule", default=None, help="How often `govcat worker` runs it: 30m, 6h, 1d …")
@click.option("--publish", "publish_policy", default="direct", show_default=True, type=click.Choice(PUBLISH_POLICIES))
@click.option("--default", "defaults", multiple=True, metavar="FIELD=VALUE",
              help="Metadata the source lacks, e.g. share_type=unconditional (repeatable).")
@click.option("--auth-header", default=None, help="Header sent to the source, e.g. 'Authorization: Bearer …'.")
@click.pass_context
def add(ctx, name, source_type, url, department, schedule, publish_policy, defaults, auth_header) -> None:
    """Register a harvest source."""
    if schedule:
        from harvesters.scheduling import parse_interval
        try:
            parse_interval(schedule)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--schedule") from None
    values = {}
    for item in defaults:
        field, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not FIELD=VALUE", param_hint="--default")
        values[field.strip()] = value.strip()
    try:
        with get_db(_app(ctx)).transaction() as session:
            source = services.add_source(session, name=name, type=source_type, url=url, department=department,
                                         schedule=schedule, publish_policy=publish_policy, defaults=values,
                                         auth_header=auth_header)
            click.echo(json.dumps(services.source_representation(source), ensure_ascii=False))
    except ServiceError as error:
        _fail(error)


@harvest.command("list")
@click.pass_context
def list_sources(ctx) -> None:
    """List the harvest sources (one JSON object a line)."""
    with get_db(_app(ctx)).reader() as session:
        for source in services.list_sources(session):
            click.echo(json.dumps(services.source_representation(source), ensure_ascii=False))


@harvest.command("run")
@click.argument("name")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing but the job row.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def run(ctx, name, dry_run, as_json) -> None:
    """Run one harvest job of a source now and print its report."""
    app = _app(ctx)
    database = get_db(app)
    try:
        report = services.run_source(database, name, dry_run=dry_run)
    except ServiceError as error:
        _fail(error)
    except JobAlreadyRunning as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    if not dry_run:
        _drain(app)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        counters = ", ".join(f"{k} {v}" for k, v in report.counters.items())
        click.echo(f"job {report.job_id} of {report.source}: {report.status}; {counters}")
        if report.error:
            click.echo(f"  job error: {report.error}")
        for error in report.errors:
            click.echo(f"  [{error['stage']}] {error['record_id']}: {error['message']}")
        for change in report.changes:
            click.echo(f"  would {change['action']} {change['original_id']}")
    sys.exit(0 if report.status in ("succeeded", "dry_run") else 1)


def _drain(app: Flask) -> None:
    from registry.search import get_engine
    from registry.search.engine import SearchUnavailable
    from registry.search.outbox import drain

    try:
        drain(get_db(app), get_engine(app))
    except SearchUnavailable as error:
        click.echo(f"search engine unavailable, changes stay queued: {error}", err=True)


@harvest.command("jobs")
@click.argument("name")
@click.option("--limit", default=20, show_default=True)
@click.option("--errors", "with_errors", is_flag=True, help="Include each job's per-record errors.")
@click.pass_context
def jobs(ctx, name, limit, with_errors) -> None:
    """List a source's recent jobs, newest first (one JSON object a line)."""
    try:
        with get_db(_app(ctx)).reader() as session:
            for job in services.recent_jobs(session, name, limit):
                row = services.job_representation(job)
                if with_errors:
                    row["errors"] = [{"stage": e.stage, "record_id": e.record_id, "message": e.message,
                                      "snippet": e.snippet} for e in services.job_errors(session, job.id)]
                click.echo(json.dumps(row, ensure_ascii=False))
    except ServiceError as error:
        _fail(error)


@click.command("worker")
@click.option("--poll", default=60.0, show_default=True, help="Seconds between looks for due harvests.")
@click.option("--once", is_flag=True, help="Run what is due now and stop.")
@click.pass_context
def worker(ctx, poll: float, once: bool) -> None:
    """Run scheduled harvests when they are due (no other service needed); several may run side by side."""
    from harvesters.scheduling import work

    app = _app(ctx)

    def run(name: str):
        report = services.run_source(get_db(app), name)
        _drain(app)
        return report

    click.echo(f"harvest worker: looking for due sources every {poll:g} s", err=True)
    work(get_db(app), run, poll=poll, once=once, echo=lambda line: click.echo(line, err=True))
