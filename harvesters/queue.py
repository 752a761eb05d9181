"""The harvest queue: due harvests shared by workers on one machine or many, through huey.

Without ``GOVCAT_QUEUE_URL`` each ``govcat worker`` runs due sources itself (:mod:`harvesters.scheduling`).
With it, ``govcat worker`` runs huey's consumer and jobs go through a queue in the setting's storage:

* ``redis://host:6379/0`` — Redis (huey's ``RedisHuey`` storage): consumers on many machines;
* ``sqlite:///path/queue.db`` — a SQLite file (``SqliteHuey``): consumer processes on one machine.

Every consumer's scheduler also runs :func:`evaluation_snapshot` every ten minutes, which takes the
evaluation's daily snapshot when the day has none (``harvesters.scheduling.snapshot_if_due``) and flags
sharing requests past their deadline (``flag_overdue_requests``; each is flagged once).

Every consumer's scheduler runs :func:`enqueue_due` when it starts and then every minute; it queues
one :func:`harvest` task per due source.  With several consumers it runs several times a minute,
so a source is queued only if no "queued" marker of it is in the queue's storage: the marker is
put only where absent (atomic in both storages) and removed when its task ends.  A marker older
than :data:`QUEUED_EXPIRES` belongs to a task lost with a consumer killed outright, and is
replaced.  A scheduled task looks again whether its source is due before it runs, so a marker
raced past (or replaced) costs a no-op, never a second job.

A task's outcome — the job's report, "already running elsewhere", "no longer due" — is logged and
returned, never raised: a failed job is a job row, and huey does not retry it.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask
from huey import Huey, crontab
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from redis.exceptions import RedisError

from harvesters import services
from harvesters.base import JobAlreadyRunning, JobReport
from harvesters.scheduling import due_sources, flag_overdue_requests, is_due, snapshot_if_due, summary
from registry.db import get_db
from registry.errors import ServiceError

log = logging.getLogger(__name__)

NAME = "govcat"
QUEUED_EXPIRES = timedelta(hours=1)
POLL_SECONDS = 1.0              # longest wait between looks at a SQLite queue (Redis blocks instead)
INTERRUPT_GRACE_SECONDS = 30    # for interrupted jobs to write their end when the consumer stops
DRAIN_ALONGSIDE_AFTER = 2000     # resources a job writes before the search outbox is drained beside it

# The tasks are registered on this instance; connect() gives it the storage the setting names.
huey = Huey(NAME, results=False, utc=True, storage_class=MemoryStorage)
_connected_url = ""
_bound: tuple[int, Flask] | None = None    # (process id, app) of the tasks; see _process_app


class QueueUnavailable(Exception):
    """The queue's storage could not be reached; nothing was queued."""


@dataclass
class RunRequest:
    """What "run now" did: queued a task (its id), or ran the job in this process (its report)."""

    task_id: str | None = None
    report: JobReport | None = None


def storage_for(url: str) -> tuple[type, dict]:
    """Huey's storage class and its options for a ``GOVCAT_QUEUE_URL``; ``ValueError`` for anything else."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage, {"url": url}
    if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        # As in GOVCAT_DATABASE_URL: sqlite:///relative/path, sqlite:////absolute/path.
        return SqliteStorage, {"filename": url[len("sqlite:///"):]}
    raise ValueError("GOVCAT_QUEUE_URL is redis://host:port/db or sqlite:///path (empty: no queue)")


def connect(url: str) -> None:
    """Point the queue at ``url`` (the setting's value); nothing to do when it already is."""
    global _connected_url
    if url == _connected_url:
        return
    huey.storage_class, huey.storage_kwargs = storage_for(url)
    huey.storage = huey.create_storage()
    _connected_url = url


def bind(app: Flask) -> None:
    """Make ``app`` (its config, database and search engine) the one the tasks of this process use."""
    global _bound
    _bound = (os.getpid(), app)


def _process_app() -> Flask:
    """The tasks' app: the bound one, else one built from the environment — once per process.

    A forked worker process inherits the bound app; it drops the pooled connections it inherited
    without closing them (they remain the parent's) and opens its own.
    """
    if _bound is None:
        from registry import create_app
        bind(create_app())
    elif _bound[0] != os.getpid():
        database = get_db(_bound[1])
        for engine in {database.write_engine, database.read_engine}:
            engine.dispose(close=False)
        bind(_bound[1])
    return _bound[1]


def run_job(app: Flask, name: str, *, dry_run: bool = False, progress=None) -> JobReport:
    """One job of the source in this process, then its changes into the search index.

    Once the job has written :data:`DRAIN_ALONGSIDE_AFTER` resources, a process of its own drains
    the search outbox beside it; what is left when the job ends is drained here.

    Raises what :func:`services.run_source` raises (``NotFound``, ``JobAlreadyRunning``).  A search
    engine outage is logged and leaves the changes in the outbox for the next drain.
    """
    from registry.search import get_engine
    from registry.search.engine import SearchUnavailable
    from registry.search.outbox import BackgroundDrain, drain

    background = BackgroundDrain(app.config)

    def watch(counters: dict) -> None:
        if not dry_run and counters["created"] + counters["updated"] + counters["withdrawn"] >= DRAIN_ALONGSIDE_AFTER:
            background.start()
        if progress is not None:
            progress(counters)

    try:
        report = services.run_source(get_db(app), name, dry_run=dry_run, progress=watch)
    finally:
        background.stop()
    if not dry_run:
        try:
            drain(get_db(app), get_engine(app))
        except SearchUnavailable as error:
            log.warning("search engine unavailable, changes stay queued: %s", error)
    return report


def _marker(name: str) -> str:
    return f"queued:{name}"


def _claim(name: str, key: str | None = None) -> bool:
    """Put the source's "queued" marker (or ``key``) if none is there (or only an expired one); True if this call did."""
    key, now = key or _marker(name), time.time()
    if huey.put_if_empty(key, now):
        return True
    since = huey.get(key, peek=True)
    if since is not None and now - since < QUEUED_EXPIRES.total_seconds():
        return False
    huey.delete(key)
    return huey.put_if_empty(key, now)


@huey.task(name="harvest")
def harvest(name: str, scheduled: bool = False) -> str:
    """Run one job of source ``name`` in a worker; return (and log) its outcome.

    A scheduled task (queued by :func:`enqueue_due`) runs only if the source is still due, and
    removes the source's "queued" marker when it ends, however it ends.
    """
    app = _process_app()
    try:
        if scheduled and not _still_due(app, name):
            outcome = "no longer due"
        else:
            outcome = summary(run_job(app, name))
    except JobAlreadyRunning:
        outcome = "already running elsewhere"
    except ServiceError as error:       # e.g. the source was deleted after it was queued
        outcome = f"not run: {error.en}"
    except KeyboardInterrupt:           # the consumer is stopping: the job recorded itself failed
        log.warning("%s: interrupted; its job is recorded failed", name)
        raise
    finally:
        if scheduled:
            huey.delete(_marker(name))
    log.info("%s: %s", name, outcome)
    return outcome


def _still_due(app: Flask, name: str) -> bool:
    with get_db(app).reader() as session:
        return is_due(session, name)


@huey.periodic_task(crontab(minute="*"), name="enqueue_due")
def enqueue_due() -> list[str]:
    """Queue a harvest of every due source not queued yet; return the names queued by this call."""
    with get_db(_process_app()).reader() as session:
        names = due_sources(session)
    queued = []
    for name in names:
        if not _claim(name):
            continue
        try:
            huey.enqueue(harvest.s(name, scheduled=True))
        except BaseException:
            huey.delete(_marker(name))
            raise
        queued.append(name)
    if names:
        log.info("due: %s; queued now: %s", ", ".join(names), ", ".join(queued) or "none (queued before)")
    return queued


@huey.periodic_task(crontab(minute="*/10"), name="evaluation_snapshot")
def evaluation_snapshot() -> str | None:
    """Take the evaluation's snapshot of the day if no worker has yet, and flag sharing requests past their
    deadline; what happened, or None."""
    app = _process_app()
    outcome = "; ".join(filter(None, [snapshot_if_due(get_db(app)), flag_overdue_requests(app)])) or None
    if outcome:
        log.info("%s", outcome)
    return outcome


LINKS_MARKER = "link-check running"     # not a source's marker: those are "queued:NAME"


@huey.periodic_task(crontab(minute="*/10"), name="check_links")
def check_links_due() -> str:
    """The scheduled link check (:func:`harvesters.link_runs.run_scheduled`), by one consumer at a time."""
    from harvesters.link_runs import run_scheduled

    if not _claim("", LINKS_MARKER):
        return "running elsewhere"
    try:
        summary = run_scheduled(_process_app())
    finally:
        huey.delete(LINKS_MARKER)
    return summary.line() if summary else "nothing due"


def request_run(app: Flask, name: str) -> RunRequest:
    """Run a source now: queue a task when a queue is configured, else run the job in this process.

    Raises ``NotFound`` for an unknown source (before anything is queued), :class:`QueueUnavailable`
    when the queue cannot be reached, and — running here — ``JobAlreadyRunning``.
    """
    url = app.config.get("GOVCAT_QUEUE_URL")
    if not url:
        return RunRequest(report=run_job(app, name))
    with get_db(app).reader() as session:
        services.get_source(session, name)
    connect(url)
    task = harvest.s(name)
    try:
        huey.enqueue(task)
    except (RedisError, sqlite3.Error) as error:
        raise QueueUnavailable(f"the harvest queue cannot be reached: {error}") from None
    return RunRequest(task_id=task.id)


def consume(app: Flask, *, workers: int) -> None:
    """Run huey's consumer in the foreground until a signal stops it.

    ``workers`` worker processes (forked: a job can be interrupted, and parsing runs in parallel)
    and one scheduler.  SIGINT stops gracefully — running jobs finish (a second SIGINT interrupts
    them); SIGTERM interrupts running jobs at once, and each records itself failed, "interrupted".
    """
    connect(app.config["GOVCAT_QUEUE_URL"])
    bind(app)
    consumer = huey.create_consumer(workers=workers, worker_type="process", periodic=True,
                                    initial_delay=0.1, max_delay=POLL_SECONDS)
    consumer.run()
    for _worker, process in consumer.worker_threads:
        process.join(INTERRUPT_GRACE_SECONDS)
