"""Queueing changed resources for the index, and draining the queue into the engine."""
from __future__ import annotations

import fcntl
import logging
import multiprocessing
import threading
from collections.abc import Mapping
from contextlib import contextmanager

from sqlalchemy import delete, func, insert, make_url, select, text
from sqlalchemy.orm import Session

from registry.db import Database, utcnow
from registry.resources.models import Resource
from registry.search.documents import document_ids, documents_for
from registry.search.engine import SearchEngine, SearchUnavailable
from registry.search.models import SearchOutbox

log = logging.getLogger(__name__)
DRAIN_BATCH = 2000
DRAIN_LOCK = 7204011            # the PostgreSQL advisory lock key of drains
_LOCAL_DRAINS = threading.Lock()  # drains of an in-memory SQLite database


def queue_for_index(session: Session, resource_ids) -> None:
    """Note, in the caller's transaction, that these resources' documents must be rewritten."""
    ids = list(dict.fromkeys(resource_ids))
    if ids:
        now = utcnow()
        session.execute(insert(SearchOutbox), [{"resource_id": rid, "queued_at": now} for rid in ids])


def backlog(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SearchOutbox)) or 0


@contextmanager
def _one_drain_at_a_time(database: Database):
    """Hold the drain lock of ``database``: one drain at a time across processes, so that an older
    state of a resource is never written to the engine after a newer one.

    It is not the database's write lock: a drain reads in a snapshot, writes the engine, and only
    then deletes what it wrote in a short transaction, so writers never wait for the engine.
    PostgreSQL: an advisory lock held by a connection of its own.  SQLite (whose only lock is the
    database-wide write lock): an exclusive lock on a file beside the database file.
    """
    if not database.is_sqlite:
        with database.write_engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": DRAIN_LOCK})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": DRAIN_LOCK})
                connection.commit()
        return
    path = make_url(database.url).database
    if not path or path == ":memory:":
        with _LOCAL_DRAINS:
            yield
        return
    with open(f"{path}.drain-lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _next_batch(session: Session) -> tuple[list[int], list[dict], list[str], int]:
    """The oldest queued rows: their ids, the documents and deletions they call for, how many resources."""
    rows = session.execute(select(SearchOutbox.id, SearchOutbox.resource_id)
                           .order_by(SearchOutbox.id).limit(DRAIN_BATCH)).all()
    resource_ids = list(dict.fromkeys(r.resource_id for r in rows))
    resources = {r.id: r for r in session.scalars(select(Resource).where(Resource.id.in_(resource_ids)))}
    documents, deletions = [], []
    for rid in resource_ids:
        if rid in resources:
            keep, drop = documents_for(resources[rid])
            documents += keep
            deletions += drop
        else:
            deletions += document_ids(rid)
    return [r.id for r in rows], documents, deletions, len(resource_ids)


def drain(database: Database, engine: SearchEngine, *, limit: int | None = None) -> int:
    """Write queued resources to the engine; return how many were indexed.

    Rows leave the outbox only after the engine accepted their documents: a failure anywhere
    leaves them queued for the next drain.  A row queued while a batch is being written stays for
    the next batch, which reads the resource again.
    """
    done = 0
    with database.reader() as session:    # most drains find nothing: ask before taking the lock
        if session.scalar(select(SearchOutbox.id).limit(1)) is None:
            return 0
    with _one_drain_at_a_time(database):
        while limit is None or done < limit:
            with database.reader() as session:
                row_ids, documents, deletions, count = _next_batch(session)
            if not row_ids:
                break
            engine.write(documents, deletions)
            with database.transaction() as session:
                session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(row_ids)))
            done += count
    return done


def drain_quietly(database: Database, engine: SearchEngine) -> None:
    """Drain after a commit; an engine outage is logged, never passed on to the writer."""
    try:
        drain(database, engine)
    except SearchUnavailable as error:
        log.warning("search engine unavailable, changes stay queued: %s", error)


class BackgroundDrain:
    """Drains the outbox every second from a process of its own while a long writer (a big
    harvest) goes on, so that the index work shares the machine's cores instead of following the
    writer on one.  :meth:`start` when the writer turns out big (again: no effect); :meth:`stop`
    lets the current batch finish.  The writer's own last drain picks up what is left."""

    STOP_WAIT = 120     # seconds a batch may take to finish before the process is ended

    def __init__(self, config: Mapping):
        self._config = {key: value for key, value in config.items() if key.startswith("GOVCAT_")}
        self._process = self._stop = None

    def start(self) -> None:
        # A daemonic process (a queue consumer's worker) may not have children: it drains at the end.
        if self._process is not None or multiprocessing.current_process().daemon:
            return
        context = multiprocessing.get_context("spawn")     # no inherited connections or locks
        self._stop = context.Event()
        self._process = context.Process(target=_drain_every_second, args=(self._config, self._stop),
                                        name="govcat-drain", daemon=True)
        self._process.start()

    def stop(self) -> None:
        if self._process is None:
            return
        self._stop.set()
        self._process.join(self.STOP_WAIT)
        if self._process.is_alive():        # rows of an unfinished batch stay queued: nothing is lost
            self._process.terminate()
            self._process.join()
        self._process = None


def _drain_every_second(config: dict, stop) -> None:
    from registry.collector import settle_for_bulk_work
    from registry.db import Database
    from registry.lifetime import die_with_parent
    from registry.search import make_engine

    die_with_parent()            # the job's process killed outright leaves no drain behind
    # It reads the rows just written: a small page cache serves it, and keeps the process small.
    database, engine = Database(config["GOVCAT_DATABASE_URL"], sqlite_cache_kib=8192), make_engine(config)
    settle_for_bulk_work()
    try:
        drain_every(1, stop, database, engine)
    finally:
        database.dispose()


def drain_every(seconds: float, stop, database: Database, engine: SearchEngine) -> None:
    """Drain every ``seconds`` until ``stop`` (an event) is set, outliving any single failure."""
    while not stop.wait(seconds):
        try:
            drain(database, engine)
        except SearchUnavailable as error:
            log.info("search outbox waits for the engine: %s", error)
        except Exception:
            log.exception("search outbox drain failed")
