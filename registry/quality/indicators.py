"""The quality indicator of the scorecards: per department, how good its published metadata is.

``quality(session, now)`` answers, for every department, how many published resources are scored,
their mean points, how many fall in each band and the share complete under the compilation guide.
Without ``now`` it reads the current scores; with ``now`` it reads the history — each resource's
latest published score recorded at or before ``now`` — so that trends can be drawn afterwards.
A department without scored resources has ``None`` for the mean and the share (not measurable).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.departments.models import Department
from registry.quality.bands import QUALITY_BANDS
from registry.quality.models import QualityHistory, QualityScore

KEYS = ("resources_scored", "quality_mean_points", *(f"quality_{b}" for b in QUALITY_BANDS.keys),
        "completeness_share")


def _rows(session: Session, now: datetime | None):
    """(department_id, points, band, complete) of every scored published resource (as of ``now``)."""
    if now is None:
        return session.execute(select(QualityScore.department_id, QualityScore.points, QualityScore.band,
                                      QualityScore.complete).where(QualityScore.points.is_not(None)))
    latest = (select(QualityHistory.resource_id, func.max(QualityHistory.id).label("last"))
              .where(QualityHistory.recorded_at <= now).group_by(QualityHistory.resource_id).subquery())
    return session.execute(select(QualityHistory.department_id, QualityHistory.points, QualityHistory.band,
                                  QualityHistory.complete).join(latest, QualityHistory.id == latest.c.last))


def quality(session: Session, now: datetime | None = None) -> dict[int, dict[str, float | int | None]]:
    sums: dict[int, list] = {}
    for department_id, points, band, complete in _rows(session, now):
        entry = sums.setdefault(department_id, [0, 0, 0, {}])
        entry[0] += 1
        entry[1] += points
        entry[2] += 1 if complete else 0
        entry[3][band] = entry[3].get(band, 0) + 1
    answer = {}
    for department_id in session.scalars(select(Department.id)):
        count, total, complete, bands = sums.get(department_id, (0, 0, 0, {}))
        answer[department_id] = {
            "resources_scored": count,
            "quality_mean_points": round(total / count, 1) if count else None,
            **{f"quality_{b}": bands.get(b, 0) for b in QUALITY_BANDS.keys},
            "completeness_share": complete / count if count else None,
        }
    return answer
