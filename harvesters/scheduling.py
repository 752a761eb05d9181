"""When a harvest source is due, and the worker that runs due harvests with no extra service.

A source's schedule is an interval: ``30m``, ``6h``, ``1d`` (minutes, hours, days; at least five
minutes). A source is due when it is active, has a schedule, no job of it is running (one whose
heartbeat went stale does not count), and its last job started at least one interval ago (or it
never ran).  Without a queue (``GOVCAT_QUEUE_URL``), ``govcat worker`` checks every ``--poll``
seconds and runs what is due, one source after another; several workers may run side by side,
since a source never runs two jobs at once (the job lifecycle refuses a second) — each worker then
takes the next source.  With a queue, :mod:`harvesters.queue` shares the due sources out instead.

The worker also keeps the evaluation's daily snapshot (:func:`snapshot_if_due`, the trends of the
scorecards): once a day, whichever worker looks first after midnight (UTC) takes it.
"""
from __future__ import annotations

import logging
import re
import time
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from harvesters.base import STALE_AFTER, JobAlreadyRunning, JobReport
from harvesters.models import HarvestJob, HarvestSource
from registry.db import Database, utcnow
from registry.evaluation.snapshots import take_if_due
from registry.sharing.services import flag_overdue

log = logging.getLogger(__name__)
INTERVAL = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
UNITS = {"m": "minutes", "h": "hours", "d": "days"}
SHORTEST = timedelta(minutes=5)


def parse_interval(schedule: str) -> timedelta:
    """``30m`` / ``6h`` / ``1d`` as a timedelta; ``ValueError`` with the reason otherwise."""
    match = INTERVAL.match(schedule or "")
    if not match:
        raise ValueError("a schedule is an interval such as 30m, 6h or 1d")
    interval = timedelta(**{UNITS[match.group(2)]: int(match.group(1))})
    if interval < SHORTEST:
        raise ValueError("a schedule is at least 5m")
    return interval


def due_sources(session: Session, now: datetime | None = None) -> list[str]:
    """Names of the active scheduled sources, not running, whose interval has passed since their last job began."""
    now = now or utcnow()
    last = dict(session.execute(select(HarvestJob.source_id, func.max(HarvestJob.started_at))
                                .group_by(HarvestJob.source_id)).all())
    running = {source_id for source_id, beat in session.execute(
        select(HarvestJob.source_id, HarvestJob.heartbeat_at).where(HarvestJob.status == "running"))
        if now - beat < STALE_AFTER}
    due = []
    for source in session.scalars(select(HarvestSource).where(HarvestSource.active.is_(True),
                                                             HarvestSource.schedule.is_not(None))
                                  .order_by(HarvestSource.id)):
        try:
            interval = parse_interval(source.schedule)
        except ValueError:
            log.warning("source %s has an unusable schedule %r", source.name, source.schedule)
            continue
        started = last.get(source.id)
        if started is not None and started.tzinfo is None:
            started = started.replace(tzinfo=now.tzinfo)
        if source.id not in running and (started is None or now - started >= interval):
            due.append(source.name)
    return due


def is_due(session: Session, name: str, now: datetime | None = None) -> bool:
    """Whether the named source is due (see :func:`due_sources`)."""
    return name in due_sources(session, now)


def summary(report: JobReport) -> str:
    """A job's outcome on one line: status, job id, counters, and the job error if any."""
    counters = ", ".join(f"{name} {count}" for name, count in report.counters.items())
    line = f"{report.status}, job {report.job_id}: {counters}"
    return f"{line}; {report.error}" if report.error else line


def run_due(database: Database, run, *, now: datetime | None = None) -> list[tuple[str, str]]:
    """Run every due source with ``run(name)``; return ``(name, outcome)`` for each (see :func:`summary`)."""
    with database.reader() as session:
        names = due_sources(session, now)
    outcomes = []
    for name in names:
        try:
            outcomes.append((name, summary(run(name))))
        except JobAlreadyRunning:
            outcomes.append((name, "already running elsewhere"))
    return outcomes


def snapshot_if_due(database: Database, *, now: datetime | None = None) -> str | None:
    """Take the evaluation's snapshot of the day unless one was taken; a line saying what happened, or None.
    A failure is logged and left for the next look: it never stops the worker's harvests."""
    try:
        taken = take_if_due(database, now)
    except Exception:       # noqa: BLE001 - the harvests go on; the next look tries again
        log.exception("the evaluation snapshot failed")
        return "evaluation snapshot: failed, tried again at the next look"
    return f"evaluation snapshot of {taken.isoformat()} taken" if taken else None


def flag_overdue_requests(app) -> str | None:
    """Tell both departments and the centre of each sharing request past its deadline (once each); a line
    when some were flagged.  In ``app``'s context, so the e-mails go out when SMTP is configured.  A
    failure is logged and left for the next look."""
    from registry.db import get_db

    try:
        with app.app_context(), get_db(app).transaction() as session:
            flagged = flag_overdue(session)
    except Exception:       # noqa: BLE001 - the harvests go on; the next look tries again
        log.exception("flagging overdue sharing requests failed")
        return "sharing requests: the overdue check failed, tried again at the next look"
    return f"sharing requests: {len(flagged)} overdue, both departments and the centre told" if flagged else None


def work(database: Database, run, *, poll: float, once: bool = False, echo=print, also=None) -> None:
    """The worker loop: run what is due, take the day's evaluation snapshot if not taken, wait ``poll``
    seconds, again (until interrupted, or once).

    ``also``: other scheduled work, called after the harvests of each round; it returns lines to show
    (the link checks of :mod:`harvesters.link_runs`)."""
    while True:
        for name, outcome in run_due(database, run):
            echo(f"{name}: {outcome}")
        snapshot = snapshot_if_due(database)
        if snapshot:
            echo(snapshot)
        for line in (also() if also is not None else ()):
            echo(line)
        if once:
            return
        time.sleep(poll)
