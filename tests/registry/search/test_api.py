"""Search as the catalog's users meet it on the API, and an index that never loses an update."""
from __future__ import annotations

import pytest

from registry.search import get_engine
from registry.search.engine import SearchUnavailable
from registry.search.outbox import drain
from registry.search.services import status
from tests.factories import ResourceDataFactory


def publish(client, world, **metadata):
    created = client.post("/api/v1/resources", json=ResourceDataFactory(**metadata), headers=world.editor_a.headers)
    assert created.status_code == 201, created.get_json()
    rid = created.get_json()["id"]
    for person, name in [(world.editor_a, "submit"), (world.reviewer_a, "approve"), (world.admin, "approve")]:
        response = client.post(f"/api/v1/resources/{rid}/transitions", json={"transition": name}, headers=person.headers)
        assert response.status_code == 200, response.get_json()
    return rid


def test_search_finds_published_resources_with_highlights_and_labelled_facets(client, world):
    rid = publish(client, world, title="杭州市交通运输统计", share_type="conditional", share_conditions="仅限政务")
    publish(client, world, title="教育经费年报")
    answer = client.get("/api/v1/resources?q=交通").get_json()
    assert answer["total"] == 1 and answer["items"][0]["id"] == rid
    assert answer["items"][0]["highlight"]["title"] == "杭州市<mark>交通</mark>运输统计"
    share = answer["facets"]["share_type"]
    assert share["label"] == "共享类型" and share["buckets"] == [{"key": "conditional", "label": "有条件共享", "count": 1}]
    english = client.get("/api/v1/resources?q=交通&lang=en").get_json()["facets"]
    assert english["share_type"]["buckets"][0]["label"] == "Conditional sharing"
    assert english["department"]["buckets"][0]["label"] == world.dept_a.name_en


def test_drafts_stay_out_of_public_search_but_are_in_the_workspace(client, world):
    client.post("/api/v1/resources", json=ResourceDataFactory(title="交通草稿"), headers=world.editor_a.headers)
    assert client.get("/api/v1/resources?q=交通").get_json()["total"] == 0
    mine = client.get("/api/v1/resources?q=交通&state=draft", headers=world.editor_a.headers).get_json()
    assert mine["total"] == 1 and mine["items"][0]["revision"] == "working"
    theirs = client.get("/api/v1/resources?q=交通&state=draft", headers=world.editor_b.headers).get_json()
    assert theirs["total"] == 0
    assert client.get("/api/v1/resources?q=交通&state=draft").status_code == 401


def test_a_pending_revision_is_searchable_in_the_workspace_while_the_public_sees_the_published_text(client, world):
    rid = publish(client, world, title="原标题交通")
    current = client.get(f"/api/v1/resources/{rid}").get_json()
    client.patch(f"/api/v1/resources/{rid}", json={"title": "新标题教育", "version": current["version"]},
                 headers=world.editor_a.headers)
    assert [i["id"] for i in client.get("/api/v1/resources?q=交通").get_json()["items"]] == [rid]
    assert client.get("/api/v1/resources?q=教育").get_json()["total"] == 0
    working = client.get("/api/v1/resources?q=教育&state=draft", headers=world.editor_a.headers).get_json()
    assert [i["id"] for i in working["items"]] == [rid]


@pytest.mark.parametrize("query, field", [("colour=red", "colour"), ("sort=price", "sort"), ("theme=XYZ", "theme"),
                                          ("share_type=maybe", "share_type"), ("cursor=%%%", "cursor"),
                                          ("facets=colour", "facets"), ("lang=fr", "lang"),
                                          ("department=123", "department"), ("per_page=101", "per_page")])
def test_bad_filters_and_sorts_name_the_parameter(client, query, field):
    response = client.get(f"/api/v1/resources?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["errors"][0]["field"] == field


def test_any_query_text_is_text(client, world):
    publish(client, world, title="交通统计")
    for text in ['"', "(交通", "交通 AND", "*", "a" * 5000, "\x01\x02", "交通 OR title:x", "%E4%BA%A4"]:
        response = client.get("/api/v1/resources", query_string={"q": text})
        assert response.status_code == 200, text


def test_page_beyond_the_end_is_empty(client, world):
    publish(client, world, title="交通统计")
    answer = client.get("/api/v1/resources?page=50").get_json()
    assert answer["items"] == [] and answer["total"] == 1


def test_suggestions(client, world):
    publish(client, world, title="杭州市交通运输统计")
    answer = client.get("/api/v1/suggest?q=杭州").get_json()
    assert [t["title"] for t in answer["titles"]] == ["杭州市交通运输统计"]
    assert client.get(f"/api/v1/suggest?q={world.dept_a.name[:3]}").get_json()["departments"][0]["name"] == \
        world.dept_a.name
    assert client.get("/api/v1/suggest?q=").get_json() == {"titles": [], "departments": []}
    assert client.get("/api/v1/suggest?q=%25_").status_code == 200


class BrokenEngine:
    """Stands in for an engine that is down: every call fails as an unreachable server would."""

    def __init__(self, engine):
        self.engine = engine

    def __getattr__(self, name):
        if name in ("write", "search", "suggest", "counts", "document_ids", "rebuild"):
            def down(*args, **kwargs):
                raise SearchUnavailable("connection refused")
            return down
        return getattr(self.engine, name)


def test_writes_succeed_while_the_engine_is_down_and_the_backlog_drains_when_it_returns(app, client, world, db):
    engine = get_engine(app)
    app.extensions["govcat.search"] = BrokenEngine(engine)
    rid = publish(client, world, title="停机期间登记的交通数据")
    assert client.get(f"/api/v1/resources/{rid}").status_code == 200          # written and published
    listing = client.get("/api/v1/resources").get_json()                     # plain listing from the database
    assert listing["degraded"] is True and [i["id"] for i in listing["items"]] == [rid]
    assert client.get("/api/v1/resources?q=交通").status_code == 503
    assert status(db, app.extensions["govcat.search"])["backlog"] > 0
    app.extensions["govcat.search"] = engine                                  # the engine returns
    assert drain(db, engine) == 1
    report = status(db, engine)
    assert report["backlog"] == 0 and report["in_step"] is True
    assert [i["id"] for i in client.get("/api/v1/resources?q=交通").get_json()["items"]] == [rid]


def test_status_shows_differences_and_reindex_repairs_them(app, client, world, db):
    from registry.search.services import reindex
    publish(client, world, title="交通统计")
    engine = get_engine(app)
    engine.write([], ["p1"])                                                  # the index loses a document
    report = status(db, engine)
    assert report["in_step"] is False and report["missing_sample"] == ["p1"]
    assert reindex(db, engine)["indexed"] == 2
    assert status(db, engine)["in_step"] is True


def test_a_looser_match_says_so_and_nothing_found_offers_terms_of_the_catalog(client, world):
    publish(client, world, title="杭州市交通运输统计")
    publish(client, world, title="教育经费年报")
    strict = client.get("/api/v1/resources?q=交通运输").get_json()
    assert strict["total"] == 1 and strict["relaxed"] is False and "did_you_mean" not in strict
    looser = client.get("/api/v1/resources?q=交通经费").get_json()
    assert looser["total"] == 2 and looser["relaxed"] is True and isinstance(looser["did_you_mean"], list)
    nothing = client.get("/api/v1/resources?q=公共信用").get_json()
    assert nothing["total"] == 0 and nothing["relaxed"] is False
    assert "社会信用" in nothing["did_you_mean"]                 # a classification label of the catalog
    # Machine interfaces keep the strict answer: CKAN's package_search finds nothing for the looser query.
    ckan = client.get("/api/3/action/package_search?q=交通经费").get_json()
    assert ckan["result"]["count"] == 0


def test_a_misspelt_query_that_finds_nothing_answers_for_its_correction_and_says_so(client, world):
    publish(client, world, title="西湖区幼儿园名录")
    asked = client.get("/api/v1/resources?q=kindergarden").get_json()
    assert asked["total"] == 1 and asked["corrected_to"] == "kindergarten"
    assert asked["items"][0]["title"] == "西湖区幼儿园名录"
    plain = client.get("/api/v1/resources?q=幼儿园").get_json()
    assert plain["total"] == 1 and plain["corrected_to"] is None
    ckan = client.get("/api/3/action/package_search?q=kindergarden").get_json()
    assert ckan["result"]["count"] == 0                     # machine interfaces keep the strict answer
