"""A resource's quality as the pages show it: points, band, and each point missed with how to gain it.

Templates call ``quality_of(resource, revision)`` (registered by ``registry.quality.init_app``) and
render ``templates/quality/_block.html``; the texts come from the criteria, in the page's language.
"""
from __future__ import annotations

from dataclasses import dataclass

from registry.i18n import in_language
from registry.quality.bands import MAX_POINTS, QUALITY_BANDS
from registry.quality.criteria import CRITERIA_BY_KEY, DIMENSIONS


@dataclass(frozen=True)
class Missed:
    name: str
    dimension: str
    points: int
    how: str


@dataclass(frozen=True)
class QualityView:
    points: int
    max_points: int
    band: str
    band_label: str
    complete: bool
    incomplete_fields: list
    missed: list


def quality_of(resource, revision: str = "published") -> QualityView | None:
    """The score of ``resource``'s published version or working copy, ready for a page; None when it
    has not been scored (a catalog upgraded before ``govcat quality recompute`` ran)."""
    score = getattr(resource, "quality", None)
    if score is None:
        return None
    if revision == "published":
        points, band, complete, missed, fields = (score.points, score.band, score.complete, score.missed,
                                                  score.incomplete_fields)
    else:
        points, band, complete, missed, fields = (score.working_points, score.working_band, score.working_complete,
                                                  score.working_missed, score.working_incomplete_fields)
    if points is None:
        return None
    criteria = [CRITERIA_BY_KEY[key] for key in missed or [] if key in CRITERIA_BY_KEY]
    return QualityView(
        points=points, max_points=MAX_POINTS, band=band, band_label=in_language(QUALITY_BANDS[band].zh,
                                                                                QUALITY_BANDS[band].en),
        complete=bool(complete), incomplete_fields=list(fields or []),
        missed=[Missed(in_language(c.zh, c.en), in_language(*DIMENSIONS[c.dimension]), c.points,
                       in_language(c.how_zh, c.how_en)) for c in criteria])
