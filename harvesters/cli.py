"""``govcat harvest``: register harvest sources, run them, and read their jobs; ``govcat worker``.

A run prints its job report (counters and per-record errors) and then drains the search outbox,
so harvested changes are searchable when the command returns; an engine outage leaves them
queued for the next drain.  ``run --queue`` hands the job to the harvest queue instead.  Tests
pass their app as the click context object.
"""
from __future__ import annotations

import json
import logging
import signal
import sys
import time

import click
from flask import Flask

from harvesters import services
from harvesters.base import JobAlreadyRunning
from harvesters.guidance import guidance_lines
from harvesters.models import PUBLISH_POLICIES
from registry.db import get_db, utcnow
from registry.errors import ServiceError


def _app(ctx: click.Context) -> Flask:
    if isinstance(ctx.obj, Flask):
        return ctx.obj
    from registry.cli import _app as settings_app     # registry.cli mounts this group: import late
    return settings_app()


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
@click.option("--max-bytes", default=None, metavar="SIZE", callback=lambda _c, _p, v: _size(v),
              help="The largest response the source may send: bytes, or 500M, 2G … (default 64M).")
@click.option("--check", is_flag=True, help="Then show what the source's first records would become, and why "
                                           "(a dry run: nothing is written but the job row).")
@click.pass_context
def add(ctx, name, source_type, url, department, schedule, publish_policy, defaults, auth_header, max_bytes,
        check) -> None:
    """Register a harvest source."""
    if schedule:
        from harvesters.scheduling import parse_interval
        try:
            parse_interval(schedule)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--schedule") from None
    app = _app(ctx)
    try:
        with get_db(app).transaction() as session:
            source = services.add_source(session, name=name, type=source_type, url=url, department=department,
                                         schedule=schedule, publish_policy=publish_policy,
                                         defaults=_field_values(defaults), auth_header=auth_header,
                                         max_bytes=max_bytes if isinstance(max_bytes, int) else None)
            click.echo(json.dumps(services.source_representation(source), ensure_ascii=False))
    except ServiceError as error:
        _fail(error)
    if check:
        click.echo(f"checking the first {services.CHECK_RECORDS} records of {name} (nothing is written):", err=True)
        _print_report(services.run_source(get_db(app), name, dry_run=True, limit=services.CHECK_RECORDS), False)


def _field_values(items) -> dict:
    """``FIELD=VALUE`` options as a dict (``FIELD=`` gives an empty value: a default removed)."""
    values = {}
    for item in items:
        field, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not FIELD=VALUE", param_hint="--default")
        values[field.strip()] = value.strip()
    return values


@harvest.command("update")
@click.argument("name")
@click.option("--max-bytes", default=None, metavar="SIZE", callback=lambda _c, _p, v: _size(v),
              help="The largest response the source may send: bytes, or 500M, 2G …; 'default' for 64M.")
@click.option("--default", "defaults", multiple=True, metavar="FIELD=VALUE",
              help="Set a default for what the source lacks (repeatable); FIELD= removes one. The next run "
                   "maps every record again with them.")
@click.option("--publish", "publish_policy", default=None, type=click.Choice(PUBLISH_POLICIES))
@click.pass_context
def update(ctx, name, max_bytes, defaults, publish_policy) -> None:
    """Change a harvest source."""
    changes = {} if max_bytes is None else {"max_bytes": None if max_bytes == "default" else max_bytes}
    if publish_policy:
        changes["publish"] = publish_policy
    given = _field_values(defaults)
    try:
        with get_db(_app(ctx)).transaction() as session:
            if given:      # added to the source's defaults; FIELD= removes one
                merged = {**(services.get_source(session, name).defaults or {}), **given}
                changes["defaults"] = {k: v for k, v in merged.items() if v != ""}
            source = services.update_source(session, None, name, changes, check_permission=False)
            click.echo(json.dumps(services.source_representation(source), ensure_ascii=False))
    except ServiceError as error:
        _fail(error)


SIZE_UNITS = {"": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}


def _size(value: str | None):
    """``"2G"`` → bytes; ``"default"`` as it stands; ``None`` when the option was not given."""
    if value is None or value.strip().lower() == "default":
        return None if value is None else "default"
    text = value.strip().upper().removesuffix("B")
    number, unit = (text[:-1], text[-1]) if text[-1:] in SIZE_UNITS and text[-1:] else (text, "")
    try:
        return int(float(number) * SIZE_UNITS[unit])
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a size (bytes, or 500M, 2G …)", param_hint="--max-bytes") from None


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
@click.option("--queue", "queued", is_flag=True,
              help="Put the job on the harvest queue (GOVCAT_QUEUE_URL) for a worker, and print the task id.")
@click.pass_context
def run(ctx, name, dry_run, as_json, queued) -> None:
    """Run one harvest job of a source now and print its report (or queue it)."""
    from harvesters.queue import run_job

    app = _app(ctx)
    if queued:
        _enqueue(app, name, dry_run, as_json)
        return
    progress = _progress_line(name) if sys.stderr.isatty() else None
    try:
        report = run_job(app, name, dry_run=dry_run, progress=progress)
    except ServiceError as error:
        _fail(error)
    except JobAlreadyRunning as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    if progress is not None:
        click.echo(err=True)           # end the progress line
    _print_report(report, as_json)


REPORT_ROWS = 20      # record rows a terminal report shows; the rest are in `harvest jobs NAME --errors`


def _print_report(report, as_json: bool) -> None:
    """The job's report — counters, the reasons grouped with their fixes, the first records — and the
    exit status: 0 when the job ran to its end and took records, 1 otherwise (every record failed too)."""
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        counters = ", ".join(f"{k} {v}" for k, v in report.counters.items())
        click.echo(f"job {report.job_id} of {report.source}: {report.status}; {counters}")
        if report.error:
            click.echo(f"  job error: {report.error}")
        for line in guidance_lines(report.as_dict()["summary"]):
            click.echo(line)
        errors = [e for e in report.errors if e.get("severity", "error") == "error"]
        for error in errors[:REPORT_ROWS]:
            click.echo(f"  [{error['stage']}] {error['record_id']}: {error['message']}")
        for change in report.changes[:REPORT_ROWS]:
            missing = f" (to be completed: {', '.join(change['missing'])})" if change.get("missing") else ""
            click.echo(f"  would {change['action']} {change['original_id']}{missing}")
        hidden = max(len(errors), len(report.changes)) - REPORT_ROWS
        if hidden > 0:
            click.echo(f"  … {hidden} more: govcat harvest jobs {report.source} --errors")
    sys.exit(0 if report.status in ("succeeded", "dry_run") and not report.error else 1)


def _progress_line(name: str):
    """A line on standard error, rewritten as the job goes (standard output keeps the report alone)."""
    started = time.monotonic()

    def show(counters: dict) -> None:
        seconds = max(time.monotonic() - started, 1e-9)
        rest = ", ".join(f"{key} {value:,}" for key, value in counters.items() if key != "listed" and value)
        click.echo(f"\r{name}: listed {counters['listed']:,} ({counters['listed'] / seconds:,.0f}/s)"
                   f"{'; ' + rest if rest else ''}\033[K", nl=False, err=True)

    return show


def _enqueue(app: Flask, name: str, dry_run: bool, as_json: bool) -> None:
    from harvesters.queue import QueueUnavailable, request_run

    if dry_run:
        raise click.UsageError("a dry run reports here and now; it cannot be queued")
    if not app.config.get("GOVCAT_QUEUE_URL"):
        click.echo("error: no harvest queue is configured (set GOVCAT_QUEUE_URL)", err=True)
        sys.exit(1)
    _check_queue_url(app)
    try:
        task_id = request_run(app, name).task_id
    except ServiceError as error:
        _fail(error)
    except QueueUnavailable as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps({"source": name, "task": task_id}))
    else:
        click.echo(f"queued {name}: task {task_id}")


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
                row = services.job_representation(job, name)
                if with_errors:
                    row["errors"] = [services.error_representation(e) for e in services.job_errors(session, job.id)]
                click.echo(json.dumps(row, ensure_ascii=False))
    except ServiceError as error:
        _fail(error)


@click.command("worker")
@click.option("--poll", default=60.0, show_default=True, help="Seconds between looks for due harvests (no queue).")
@click.option("--once", is_flag=True, help="Run what is due now and stop (no queue).")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes, each running one job at a time (with GOVCAT_QUEUE_URL).")
@click.pass_context
def worker(ctx, poll: float, once: bool, workers: int) -> None:
    """Run scheduled harvests when they are due; several may run side by side.

    Without GOVCAT_QUEUE_URL it looks for due sources every --poll seconds and runs them itself (no
    other service needed).  With it, it consumes the harvest queue with --workers processes, and
    queues due sources every minute.  SIGTERM interrupts running jobs (each is recorded failed,
    "interrupted"); SIGINT (Ctrl-C) lets them finish first, a second one interrupts them.
    """
    app = _app(ctx)
    _log_to_stderr()
    if app.config.get("GOVCAT_QUEUE_URL"):
        if once:
            raise click.UsageError("--once is for the worker without a queue (GOVCAT_QUEUE_URL)")
        _consume(app, workers)
    else:
        _poll(app, poll, once)


def _scheduled_links(schedule) -> list[str]:
    """The worker's scheduled link check (see harvesters.link_runs): a line when it checked some."""
    try:
        summary = schedule.run_if_time()
    except Exception:          # noqa: BLE001 — a failed link check must not stop the harvests
        logging.getLogger(__name__).exception("scheduled link check failed")
        return []
    return [f"link check: {summary.line()}"] if summary else []


def _overdue(app: Flask) -> list[str]:
    from harvesters.scheduling import flag_overdue_requests

    line = flag_overdue_requests(app)
    return [line] if line else []


def _log_to_stderr() -> None:
    """One line per job (source, outcome, counters) and the consumer's start and stop, on standard error."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(processName)s %(levelname)s %(message)s")
    logging.getLogger("huey").setLevel(logging.WARNING)
    logging.getLogger("huey.consumer").setLevel(logging.INFO)
    logging.getLogger("huey.consumer.Scheduler").setLevel(logging.WARNING)


def _check_queue_url(app: Flask) -> None:
    from harvesters.queue import storage_for

    try:
        storage_for(app.config["GOVCAT_QUEUE_URL"])
    except ValueError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)


def _consume(app: Flask, workers: int) -> None:
    from harvesters.queue import consume

    _check_queue_url(app)
    consume(app, workers=workers)


def _poll(app: Flask, poll: float, once: bool) -> None:
    from harvesters.link_runs import LinkSchedule
    from harvesters.queue import run_job
    from harvesters.scheduling import work

    links = LinkSchedule(app)

    def interrupt(_signum, _frame):
        raise KeyboardInterrupt

    # A running job sees the interruption and records itself failed, "interrupted", before we exit.
    previous = signal.signal(signal.SIGTERM, interrupt)
    click.echo(f"harvest worker: looking for due sources every {poll:g} s", err=True)
    try:
        work(get_db(app), lambda name: run_job(app, name), poll=poll, once=once,
             echo=lambda line: click.echo(line, err=True), also=lambda: _scheduled_links(links) + _overdue(app))
    except KeyboardInterrupt:
        click.echo("harvest worker: stopped", err=True)
    finally:
        signal.signal(signal.SIGTERM, previous)


@click.command("check-links")
@click.option("--department", "departments", multiple=True, metavar="CREDIT_CODE",
              help="Only the links of this department's published resources (repeatable).")
@click.option("--only-stale", is_flag=True, help="Only links never checked or checked longer ago than "
                                                  "GOVCAT_LINK_CHECK_EVERY (7d by default).")
@click.option("--older-than", default=None, metavar="INTERVAL",
              help="Only links never checked or checked longer ago than this: 30m, 6h, 7d …")
@click.option("--limit", default=None, type=click.IntRange(1), help="Check at most this many, the oldest first.")
@click.option("--concurrency", default=None, type=click.IntRange(1, 256),
              help="Links checked at the same time (default GOVCAT_LINK_CHECK_CONCURRENCY, 32).")
@click.option("--per-host", default=None, type=click.IntRange(1, 64),
              help="Links checked at the same time on one host (default GOVCAT_LINK_CHECK_PER_HOST, 4).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def check_links(ctx, departments, only_stale, older_than, limit, concurrency, per_host, as_json) -> None:
    """Check the access and download links of the published catalog: never checked first, then the oldest.

    HEAD, then a one-byte ranged GET when HEAD is refused; timeouts, a per-host limit, redirects
    followed and recorded, the harvester's address policy (private addresses too are refused unless
    GOVCAT_HARVEST_ALLOW names them). Progress on standard error, a summary at the end.
    """
    from harvesters.link_runs import check_links as run_checks, checker_for, schedule_of
    from harvesters.scheduling import parse_interval
    from registry.departments.services import get_department

    app = _app(ctx)
    if only_stale and older_than:
        raise click.UsageError("--only-stale and --older-than: give one of them")
    try:
        age = parse_interval(older_than) if older_than else schedule_of(app.config) if only_stale else None
    except ValueError:
        raise click.BadParameter("an interval such as 30m, 6h or 7d (at least 5m)", param_hint="--older-than") from None
    if only_stale and age is None:
        raise click.UsageError("--only-stale needs GOVCAT_LINK_CHECK_EVERY (it is off); give --older-than")
    department_ids = None
    if departments:
        try:
            with get_db(app).reader() as session:
                department_ids = [get_department(session, code).id for code in departments]
        except ServiceError as error:
            _fail(error)
    show = _link_progress() if sys.stderr.isatty() else _link_progress(every=5.0)
    with checker_for(app.config, concurrency=concurrency, per_host=per_host) as checker:
        try:
            summary = run_checks(get_db(app), checker, department_ids=department_ids, limit=limit,
                                 checked_before=None if age is None else utcnow() - age, progress=show)
        except KeyboardInterrupt:
            click.echo("\ninterrupted: the links checked so far are stored", err=True)
            sys.exit(130)
    if sys.stderr.isatty():
        click.echo(err=True)          # end the progress line
    if as_json:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(summary.line())
    for reason, count in summary.reasons.most_common(15):
        click.echo(f"  {count:>7,}  {reason}")


def _link_progress(every: float | None = None):
    """Progress on standard error: a line rewritten in place on a terminal, else a line every ``every`` s."""
    last = [0.0]

    def show(summary) -> None:
        now = time.monotonic()
        if now - last[0] < (every or 0.2) and summary.checked != summary.due:
            return
        last[0] = now
        text = (f"links: {summary.checked:,}/{summary.due:,} checked, {summary.ok:,} answered, "
                f"{summary.dead:,} dead ({summary.checked / max(summary.seconds, 1e-9):,.0f}/s)")
        click.echo(text if every else f"\r{text}\033[K", nl=bool(every), err=True)

    return show
