"""Keeping every resource's quality score current, and its history.

Scores change when a resource changes (the resource services call :func:`score_written` in the
same transaction as the write) and when its links are checked (the link checker calls
:func:`recompute` after a check); ``govcat quality recompute`` rescores the whole catalog.  A score
that changes queues the resource for the search index, whose documents carry its band and points.
Callers own the transaction, as everywhere in the registry.
"""
from __future__ import annotations

import multiprocessing
import os
from collections import namedtuple
from dataclasses import dataclass
from typing import Callable, Iterable

from sqlalchemy import func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from registry.db import Database, utcnow
from registry.links.services import url_states
from registry.quality.criteria import Judgement, Score, score_document, urls_of
from registry.quality.models import QualityHistory, QualityScore
from registry.resources.models import Resource
from registry.resources.schemas import missing_fields
from registry.search.outbox import queue_for_index

CHUNK = 1000


def _url_states(session: Session, urls) -> dict[str, bool | None]:
    """The link checker's verdict on each URL (True: answered 2xx; False: dead; absent: never checked).
    The one place the score reads link states."""
    return url_states(session, urls)


@dataclass(frozen=True)
class Version:
    """What scoring needs of one resource: its documents, without the ORM object, and what the schema
    found in them when they were last scored, if they have not changed since."""

    id: int
    department_id: int
    public_doc: dict | None          # what the public sees, None when nothing is public
    doc: dict                        # the working copy
    judged_public: Judgement | None = None
    judged_working: Judgement | None = None

    @classmethod
    def of(cls, row, *, reuse: bool = False) -> "Version":
        public = None
        if row.is_public:
            public = row.published_doc if row.published_doc is not None else row.doc
        judged_public = judged_working = None
        if reuse and row.computed_at is not None and row.computed_at >= row.modified_at:
            judged_working = Judgement(tuple(row.working_incomplete_fields), "dcat_ap" not in row.working_missed)
            if row.points is not None:
                judged_public = Judgement(tuple(row.incomplete_fields), "dcat_ap" not in row.missed)
        return cls(row.id, row.department_id, public, row.doc, judged_public, judged_working)


def _scores(version: Version, states: dict, errors: dict | None = None) -> tuple[Score | None, Score]:
    """The published and the working score of one resource (one computation when they are the same)."""
    working = score_document(version.doc, url_states=states, working=True, errors=errors,
                             judged=version.judged_working)
    if version.public_doc is None:
        return None, working
    if version.public_doc is version.doc:
        return working, working
    return score_document(version.public_doc, url_states=states, judged=version.judged_public), working


def _row(version: Version, published: Score | None, working: Score, now) -> dict:
    return {
        "resource_id": version.id, "department_id": version.department_id,
        "points": published and published.points, "band": published and published.band,
        "complete": published and published.complete, "missed": published and list(published.missed),
        "incomplete_fields": published and list(published.incomplete_fields),
        "working_points": working.points, "working_band": working.band, "working_complete": working.complete,
        "working_missed": list(working.missed), "working_incomplete_fields": list(working.incomplete_fields),
        "computed_at": now}


_SEEN = ("points", "complete", "missed")            # a change of any of these is a history row


def _store(session: Session, rows: list[dict], *, index: bool, reused: frozenset = frozenset()) -> list[int]:
    """Upsert ``rows``; append history for changed published scores; return the ids whose score changed
    (queued for the index when ``index``).  A row of ``reused`` (scored from a judgement kept with its
    score, so nothing new was learnt of its document) that comes out the same is not written again."""
    if not rows:
        return []
    ids = [r["resource_id"] for r in rows]
    before = {r.resource_id: r for r in session.execute(
        select(*(QualityScore.__table__.c[name] for name in rows[0] if name != "computed_at"))
        .where(QualityScore.resource_id.in_(ids)))}
    history, changed, written = [], [], []
    for row in rows:
        old = before.get(row["resource_id"])
        same = old is not None and all(getattr(old, k) == v for k, v in row.items() if k != "computed_at")
        if same and row["resource_id"] in reused:
            continue
        written.append(row)
        if row["points"] is not None and (old is None or any(getattr(old, k) != row[k] for k in _SEEN)):
            history.append({"resource_id": row["resource_id"], "department_id": row["department_id"],
                            "points": row["points"], "band": row["band"], "complete": row["complete"],
                            "missed": row["missed"], "recorded_at": row["computed_at"]})
        if not same:
            changed.append(row["resource_id"])
    if written:
        dialect = session.get_bind().dialect.name
        # Core statements on the tables: the ORM's bulk path costs more than the scoring itself.
        table = QualityScore.__table__
        upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
        upsert = upsert.on_conflict_do_update(index_elements=[table.c.resource_id], set_={
            name: upsert.excluded[name] for name in rows[0] if name != "resource_id"})
        session.connection().execute(upsert, written)
    if history:
        session.connection().execute(insert(QualityHistory.__table__), history)
    if index and changed:
        queue_for_index(session, changed)
    return changed


def _reused(versions: list[Version]) -> frozenset:
    return frozenset(v.id for v in versions if v.judged_working is not None)


def _read(session: Session, ids: list[int], *, full: bool = False) -> list[Version]:
    """The resources ``ids`` with their current scores: a document unchanged since it was scored keeps
    the schema's judgement of it, unless ``full``."""
    rows = session.execute(
        select(Resource.id, Resource.department_id, Resource.is_public, Resource.doc, Resource.published_doc,
               Resource.modified_at, QualityScore.computed_at, QualityScore.points, QualityScore.missed,
               QualityScore.incomplete_fields, QualityScore.working_missed, QualityScore.working_incomplete_fields)
        .outerjoin(QualityScore, QualityScore.resource_id == Resource.id).where(Resource.id.in_(ids)))
    return [Version.of(row, reuse=not full) for row in rows]


def _states_for(session: Session, versions: Iterable[Version]) -> dict:
    urls = {u for version in versions for doc in (version.doc, version.public_doc) if doc for u in urls_of(doc)}
    return _url_states(session, sorted(urls)) if urls else {}


def recompute(session: Session, resource_ids, *, index: bool = True, full: bool = False) -> list[int]:
    """Rescore these resources from what is stored (after a link check, or by hand); return the ids
    whose score changed.  Unknown ids are skipped.  A document unchanged since it was last scored is
    not judged by the schema again unless ``full`` (after a change of the schema itself)."""
    ids = list(dict.fromkeys(resource_ids))
    changed = []
    for start in range(0, len(ids), CHUNK):
        versions = _read(session, ids[start:start + CHUNK], full=full)
        states = _states_for(session, versions)
        now = utcnow()
        changed += _store(session, [_row(v, *_scores(v, states), now) for v in versions], index=index,
                          reused=_reused(versions))
    return changed


# A resource just written, for :func:`score_written` when no ORM object is at hand (bulk inserts).
Written = namedtuple("Written", "id department_id is_public doc published_doc")


def score_written(session: Session, resources: list, *, validated: bool = False) -> None:
    """Rescore resources the caller has just written (ORM objects or :class:`Written`), in the caller's
    transaction; the caller queues them for the index.

    ``validated``: their working copies' values have just passed the resource schema (or a harvest's
    mapping stage, which keeps only valid values), so the schema is asked again only for those that
    lack one of its required fields — bulk loads stay fast.
    """
    versions = [Version.of(r) for r in resources]
    states = _states_for(session, versions)
    now = utcnow()
    rows = []
    for version in versions:
        errors = {} if validated and not missing_fields(version.doc) else None
        published, working = _scores(version, states, errors)
        rows.append(_row(version, published, working, now))
    _store(session, rows, index=False)


# -- the whole catalog ---------------------------------------------------------------------------

def _needs_judging(version: Version) -> bool:
    """Whether scoring ``version`` asks the schema (the costly part, worth other processes)."""
    return version.judged_working is None or (version.public_doc is not None and version.public_doc is not version.doc
                                              and version.judged_public is None)


class _Ready:
    """A result at hand, answering ``get`` as the pool's results do."""

    def __init__(self, value):
        self.value = value

    def get(self):
        return self.value


def _score_batch(batch: list[tuple[Version, dict]]) -> list[tuple[Version, Score | None, Score]]:
    return [(version, *_scores(version, states)) for version, states in batch]


def recompute_all(database: Database, *, jobs: int | None = None, full: bool = False,
                  progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Rescore every resource, a transaction per thousand, scoring in ``jobs`` processes (default: one a
    core); ``progress(done, total)`` after each batch; ``full`` as in :func:`recompute`.  Returns how
    many were scored and changed."""
    with database.reader() as session:
        ids = list(session.scalars(select(Resource.id).order_by(Resource.id)))
    total, done, changed = len(ids), 0, 0
    jobs = jobs or os.cpu_count() or 1
    pool = multiprocessing.get_context("fork").Pool(jobs) if jobs > 1 and total > CHUNK else None
    try:
        def batches():
            for start in range(0, total, CHUNK):
                with database.reader() as session:
                    versions = _read(session, ids[start:start + CHUNK], full=full)
                    states = _states_for(session, versions)
                step = max(1, len(versions) // max(jobs, 1))
                yield [[(v, states) for v in versions[i:i + step]] for i in range(0, len(versions), step)]

        def write(parts_scored) -> None:
            nonlocal done, changed
            scored = [x for part in parts_scored for x in part]
            now = utcnow()
            with database.transaction() as session:
                changed += len(_store(session, [_row(v, p, w, now) for v, p, w in scored], index=True,
                                      reused=_reused([v for v, _p, _w in scored])))
            done += len(scored)
            if progress:
                progress(done, total)

        # A batch is scored by the pool while this process writes the one before and reads the next.
        pending = None
        for parts in batches():
            if pool is not None and any(_needs_judging(v) for part in parts for v, _s in part):
                current = pool.map_async(_score_batch, parts)
            else:
                current = _Ready([_score_batch(part) for part in parts])
            if pending is not None:
                write(pending.get())
            pending = current
        if pending is not None:
            write(pending.get())
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return {"scored": done, "changed": changed}


# -- reading -------------------------------------------------------------------------------------

def history(session: Session, resource_id: int) -> list[QualityHistory]:
    """A resource's published scores over time, oldest first."""
    return list(session.scalars(select(QualityHistory).where(QualityHistory.resource_id == resource_id)
                                .order_by(QualityHistory.recorded_at, QualityHistory.id)))


def scored_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(QualityScore)) or 0
