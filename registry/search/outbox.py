"""Queueing changed resources for the index, and draining the queue into the engine."""
from __future__ import annotations

import logging

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from registry.db import Database, utcnow
from registry.resources.models import Resource
from registry.search.documents import document_ids, documents_for
from registry.search.engine import SearchEngine, SearchUnavailable
from registry.search.models import SearchOutbox

log = logging.getLogger(__name__)
DRAIN_BATCH = 2000


def queue_for_index(session: Session, resource_ids) -> None:
    """Note, in the caller's transaction, that these resources' documents must be rewritten."""
    ids = list(dict.fromkeys(resource_ids))
    if ids:
        now = utcnow()
        session.execute(insert(SearchOutbox), [{"resource_id": rid, "queued_at": now} for rid in ids])


def backlog(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SearchOutbox)) or 0


def _serialize_drains(session: Session) -> None:
    # One drain at a time across processes, so an older state never overwrites a newer one.
    # SQLite writers are serialized already (BEGIN IMMEDIATE); PostgreSQL takes a transaction lock.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7204011)"))


def drain(database: Database, engine: SearchEngine, *, limit: int | None = None) -> int:
    """Write queued resources to the engine; return how many were indexed.

    Rows leave the outbox only after the engine accepted their documents, in the same transaction
    that read them: a failure anywhere leaves them queued for the next drain.
    """
    done = 0
    with database.reader() as session:    # most drains find nothing: ask before taking the write lock
        if session.scalar(select(SearchOutbox.id).limit(1)) is None:
            return 0
    while limit is None or done < limit:
        with database.transaction() as session:
            _serialize_drains(session)
            rows = session.execute(select(SearchOutbox.id, SearchOutbox.resource_id)
                                   .order_by(SearchOutbox.id).limit(DRAIN_BATCH)).all()
            if not rows:
                break
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
            engine.write(documents, deletions)
            session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_([r.id for r in rows])))
            done += len(resource_ids)
    return done


def drain_quietly(database: Database, engine: SearchEngine) -> None:
    """Drain after a commit; an engine outage is logged, never passed on to the writer."""
    try:
        drain(database, engine)
    except SearchUnavailable as error:
        log.warning("search engine unavailable, changes stay queued: %s", error)
