"""Snapshots of the evaluation, for trends: one row a day holds every scorecard of that day.

A snapshot is written whole in one row (the catalog's and every department's measures, score and
rank as JSON), so it is never half-written and a department's trend is read from one short scan.
``day`` is unique: the worker takes the day's snapshot once, however many workers run; taking one
by hand the same day replaces the day's numbers with fresh ones.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, JSONDocument, UTCDateTime, utcnow


class EvaluationSnapshot(Base):
    __tablename__ = "evaluation_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # {"catalog": {"score", "measures"}, "departments": {"<id>": {"score", "rank", "measures"}}}
    data: Mapped[dict] = mapped_column(JSONDocument)
