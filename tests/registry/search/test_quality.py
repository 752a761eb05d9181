"""Search by metadata quality, on every engine: a facet of the bands and a sort by points, for the
published and the working version each with its own score."""
from __future__ import annotations

from registry.quality.models import QualityScore
from registry.search.query import SearchQuery, Visibility
from tests.registry.search.test_contract import NOW, load, resource  # noqa: F401


def scored(rid, published: int | None, working: int, band: str, working_band: str, **metadata):
    r = resource(rid, **metadata)
    r.quality = QualityScore(resource_id=rid, department_id=r.department_id, points=published, band=band,
                             working_points=working, working_band=working_band)
    return r


def test_a_facet_counts_the_bands_and_filters_by_them(engine):
    load(engine, scored(1, 380, 380, "excellent", "excellent"), scored(2, 300, 360, "good", "excellent"),
         scored(3, 250, 250, "good", "good"), scored(4, 100, 100, "bad", "bad"), resource(5))   # 5: never scored
    result = engine.search(SearchQuery(facets=("quality",), sort="modified"))
    assert dict(result.facets["quality"]) == {"excellent": 1, "good": 2, "bad": 1}
    good = engine.search(SearchQuery(filters={"quality": ("good",)}, sort="modified", facets=()))
    assert sorted(h.resource_id for h in good.hits) == [2, 3]
    working = engine.search(SearchQuery(filters={"quality": ("excellent",)}, sort="modified", facets=(),
                                        visibility=Visibility(public=False)))
    assert sorted(h.resource_id for h in working.hits) == [1, 2]          # the working copy of 2 is better


def test_the_quality_sort_puts_the_most_points_first_and_the_unscored_last(engine):
    load(engine, scored(1, 200, 200, "sufficient", "sufficient"), resource(2),
         scored(3, 390, 390, "excellent", "excellent"), scored(4, 300, 300, "good", "good"))
    result = engine.search(SearchQuery(sort="quality", facets=()))
    assert [h.resource_id for h in result.hits] == [3, 4, 1, 2]
    second = engine.search(SearchQuery(sort="quality", facets=(), per_page=2, page=2))
    assert [h.resource_id for h in second.hits] == [1, 2]


def test_the_api_accepts_the_facet_and_the_sort(client):
    answer = client.get("/api/v1/resources?quality=good,excellent&sort=quality")
    assert answer.status_code == 200, answer.get_json()
    assert "quality" in answer.get_json()["facets"]
    bad = client.get("/api/v1/resources?quality=perfect")
    assert bad.status_code == 400 and bad.get_json()["error"]["errors"][0]["field"] == "quality"
