"""When a harvest source is due, and the worker that runs due harvests with no extra service.

A source's schedule is an interval: ``30m``, ``6h``, ``1d`` (minutes, hours, days; at least five
minutes). A source is due when it is active, has a schedule, and its last job started at least one
interval ago (or it never ran).  ``govcat worker`` checks every ``--poll`` seconds and runs what is
due, one source after another; several workers may run side by side, since a source never runs
two jobs at once (the job lifecycle refuses a second) — each worker then takes the next source.
"""
from __future__ import annotations

import logging
import re
import time
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from harvesters.base import JobAlreadyRunning
from harvesters.models import HarvestJob, HarvestSource
from registry.db import Database, utcnow

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
    """Names of the active scheduled sources whose interval has passed since their last job began."""
    now = now or utcnow()
    last = dict(session.execute(select(HarvestJob.source_id, func.max(HarvestJob.started_at))
                                .group_by(HarvestJob.source_id)).all())
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
        if started is None or now - started >= interval:
            due.append(source.name)
    return due


def run_due(database: Database, run, *, now: datetime | None = None) -> list[tuple[str, str]]:
    """Run every due source with ``run(name)``; return ``(name, outcome)`` for each."""
    with database.reader() as session:
        names = due_sources(session, now)
    outcomes = []
    for name in names:
        try:
            report = run(name)
            outcomes.append((name, report.status))
        except JobAlreadyRunning:
            outcomes.append((name, "already running elsewhere"))
    return outcomes


def work(database: Database, run, *, poll: float, once: bool = False, echo=print) -> None:
    """The worker loop: run what is due, wait ``poll`` seconds, again (until interrupted, or once)."""
    while True:
        for name, outcome in run_due(database, run):
            echo(f"{name}: {outcome}")
        if once:
            return
        time.sleep(poll)
