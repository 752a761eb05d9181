"""Snapshots of the scorecards and the trends read from them.

``govcat evaluate snapshot`` takes one by hand; the worker (``harvesters/scheduling.py``, and the harvest
queue's scheduler with ``GOVCAT_QUEUE_URL``) calls :func:`take_if_due` and so takes one a day.  A
snapshot keeps exactly what the scorecards showed that day — measures, score and rank — so a trend is
what the pages showed then, not a recomputation under today's rules.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry.db import Database, utcnow
from registry.evaluation.models import EvaluationSnapshot
from registry.evaluation.scorecards import Evaluation, evaluate

TREND_DAYS = 366        # the most snapshots a trend shows (a year of days)


def snapshot_data(evaluation: Evaluation) -> dict:
    return {
        "catalog": {"score": evaluation.catalog.score, "measures": evaluation.catalog.measures},
        "departments": {str(c.department.id): {"score": c.score, "rank": c.rank, "measures": c.measures}
                        for c in evaluation.departments},
    }


def store(session: Session, evaluation: Evaluation, *, replace: bool = True) -> EvaluationSnapshot | None:
    """Store ``evaluation`` as its day's snapshot: replacing one taken earlier that day, or (``replace``
    False) only if the day has none — then None when it has.  The caller commits."""
    day = evaluation.taken_at.date()
    if replace:
        session.execute(delete(EvaluationSnapshot).where(EvaluationSnapshot.day == day))
    elif not is_due(session, evaluation.taken_at):
        return None
    snapshot = EvaluationSnapshot(day=day, taken_at=evaluation.taken_at, data=snapshot_data(evaluation))
    session.add(snapshot)
    session.flush()
    return snapshot


def is_due(session: Session, now: datetime | None = None) -> bool:
    """Whether the day (UTC) has no snapshot yet."""
    day = (now or utcnow()).date()
    return session.scalar(select(EvaluationSnapshot.id).where(EvaluationSnapshot.day == day)) is None


def take_snapshot(database: Database, now: datetime | None = None, *, replace: bool = True) -> date | None:
    """Evaluate (in a read session: writers do not wait meanwhile) and store the day's snapshot in a short
    transaction; the day stored, or None when ``replace`` is False and the day had one.  Two workers racing
    for the same day: the unique day lets one insert, the other finds it taken."""
    now = now or utcnow()
    with database.reader() as session:
        if not replace and not is_due(session, now):
            return None
        evaluation = evaluate(session, now)
    try:
        with database.transaction() as session:
            stored = store(session, evaluation, replace=replace)
    except IntegrityError:
        return None
    return stored and now.date()


def take_if_due(database: Database, now: datetime | None = None) -> date | None:
    """The worker's call: the day's snapshot unless the day has one (the day taken, or None)."""
    return take_snapshot(database, now, replace=False)


def trend(session: Session, department_id: int | None = None, *, days: int = TREND_DAYS) -> list[dict]:
    """The catalog's (``department_id`` None) or one department's snapshots, oldest first:
    ``{"day", "score", "rank", "measures"}`` each; days on which the department had no scorecard are left out."""
    path = ("catalog",) if department_id is None else ("departments", str(department_id))
    rows = session.execute(select(EvaluationSnapshot.day, EvaluationSnapshot.data[path])     # the card only
                           .order_by(EvaluationSnapshot.day.desc()).limit(days)).all()
    return [{"day": day.isoformat(), "score": card.get("score"), "rank": card.get("rank"),
             "measures": card.get("measures", {})} for day, card in reversed(rows) if card]
