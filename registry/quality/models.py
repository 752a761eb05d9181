"""Each resource's current quality score, and the scores it had before.

``quality_scores`` holds one row per resource: the score of its published version (empty while
nothing is public) and of its working copy (what the editor sees).  ``quality_history`` gains a row
whenever a resource's published score changes — its points, completeness or the criteria it misses —
so that evaluations can follow a department's quality over time; it is appended to, never rewritten.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import Base, JSONDocument, UTCDateTime, utcnow
from registry.resources.models import Resource


class QualityScore(Base):
    __tablename__ = "quality_scores"

    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"), primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer)
    # The published version's score; all None while the resource is not public.
    points: Mapped[int | None] = mapped_column(Integer)
    band: Mapped[str | None] = mapped_column(String(12))
    complete: Mapped[bool | None] = mapped_column(Boolean)
    missed: Mapped[list | None] = mapped_column(JSONDocument)
    incomplete_fields: Mapped[list | None] = mapped_column(JSONDocument)
    # The working copy's score (the same as the published one when no revision is pending).
    working_points: Mapped[int] = mapped_column(Integer)
    working_band: Mapped[str] = mapped_column(String(12))
    working_complete: Mapped[bool] = mapped_column(Boolean)
    working_missed: Mapped[list] = mapped_column(JSONDocument)
    working_incomplete_fields: Mapped[list] = mapped_column(JSONDocument)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (Index("ix_quality_scores_department_band", "department_id", "band"),)


class QualityHistory(Base):
    __tablename__ = "quality_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"))
    department_id: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(12))
    complete: Mapped[bool] = mapped_column(Boolean)
    missed: Mapped[list] = mapped_column(JSONDocument)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (Index("ix_quality_history_resource", "resource_id", "recorded_at"),
                      Index("ix_quality_history_department", "department_id", "recorded_at"))


# Read with every resource (one extra query per query, not per row): search documents and pages
# show the band without a lookup each.
Resource.quality = relationship(QualityScore, uselist=False, lazy="selectin", viewonly=True)


def search_fields(resource: Resource, kind: str) -> dict:
    """The quality fields of a resource's search document (``kind``: public or working)."""
    score = resource.quality
    if score is None:
        return {}
    points, band = (score.points, score.band) if kind == "public" else (score.working_points, score.working_band)
    return {} if points is None else {"quality_band": band, "quality_points": points}
