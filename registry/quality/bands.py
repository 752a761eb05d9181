"""The quality bands of the 405-point model, as an enumeration the search facet and labels share.

Kept apart from the criteria so that the search contract can name the bands without loading the
schema and the RDF value tables.
"""
from __future__ import annotations

from vocab.enumerations import Enumeration, Term

MAX_POINTS = 405
# (band, lowest points): domain.md's bands, best first.
THRESHOLDS = (("excellent", 351), ("good", 221), ("sufficient", 121), ("bad", 0))
QUALITY_BANDS = Enumeration("quality_band", "元数据质量", "Metadata quality", [
    Term("excellent", "优秀", "Excellent"),
    Term("good", "良好", "Good"),
    Term("sufficient", "合格", "Sufficient"),
    Term("bad", "较差", "Bad"),
])


def band_of(points: int) -> str:
    """The band ``points`` fall in: excellent 351+, good 221+, sufficient 121+, bad below."""
    return next(band for band, lowest in THRESHOLDS if points >= lowest)
