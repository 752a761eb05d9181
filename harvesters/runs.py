"""Starting a source's job from a web request, for the API and the administration pages alike.

A run goes to the harvest queue when one is configured, else it runs in a thread of this process (a
harvest may take minutes; the answer does not wait).  A check — a dry run of the first records —
is answered when done.  Both refuse while a job of the source runs.
"""
from __future__ import annotations

import logging
import threading

from flask import Flask

from harvesters import services
from harvesters.base import JobAlreadyRunning
from harvesters.queue import QueueUnavailable, request_run, run_job
from harvesters.records import JobReport
from registry.db import get_db
from registry.errors import Conflict, Unavailable

log = logging.getLogger(__name__)


def start_run(app: Flask, session, source) -> str | None:
    """Start a job of ``source`` now; the queue's task id, or None when it runs in this process."""
    if services.running_job(session, source.id) is not None:
        raise Conflict("该采集源正在采集。", f"A job of {source.name} is running.")
    if app.config.get("GOVCAT_QUEUE_URL"):
        try:
            return request_run(app, source.name).task_id
        except QueueUnavailable as error:
            raise Unavailable("采集队列暂不可用。", str(error)) from None
    threading.Thread(target=_run_here, args=(app, source.name), name=f"harvest {source.name}", daemon=True).start()
    return None


def _run_here(app: Flask, name: str) -> None:
    try:
        report = run_job(app, name)
        log.info("harvest %s: %s", name, report.status)
    except JobAlreadyRunning as error:       # another worker started it meanwhile: its job is the run
        log.info("harvest %s: %s", name, error)
    except Exception:
        log.exception("harvest %s failed to run", name)


def check(app: Flask, session, source) -> JobReport:
    """A dry run of the source's first records: what they would become, and why."""
    if services.running_job(session, source.id) is not None:
        raise Conflict("该采集源正在采集。", f"A job of {source.name} is running.")
    name = source.name
    session.close()      # the check writes its own job row: this request holds no transaction meanwhile
    try:
        return services.run_source(get_db(app), name, dry_run=True, limit=services.CHECK_RECORDS)
    except JobAlreadyRunning:
        raise Conflict("该采集源正在采集。", f"A job of {name} is running.") from None
