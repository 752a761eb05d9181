"""package_search through ckanapi: text, filters (fq), sorts, facets, paging, and a whole-catalog harvest."""
from __future__ import annotations

import time
from datetime import datetime, timezone

import ckanapi
import pytest

from registry.search.engine import SearchUnavailable
from tests.registry.ckan.conftest import publish, publish_many

FACETS = ["organization", "tags", "res_format", "groups", "license_id", "share_type", "extras_open_type"]


@pytest.fixture
def catalog(app, client, world):
    """Four published resources over two departments, and one draft."""
    ids = {
        "traffic": publish(client, world, title="杭州市交通运输统计", keywords=["交通", "统计"], themes=["TRAN"],
                           license="CC-BY-4.0", share_type="conditional", share_conditions="仅限政务"),
        "school": publish(client, world, title="教育经费年报", keywords=["教育"], themes=["EDUC"], classification="201",
                          format_class="spreadsheet", format_type="xlsx",
                          data_items=[{"name": "学校", "type": "C", "length": 50}]),
        "roads": publish(client, world, "b", title="公路养护计划", keywords=["交通"], themes=["TRAN"],
                         license="CC-BY-4.0"),
        "health": publish(client, world, "b", title="医疗机构名录", keywords=["卫生"], themes=["HEAL"],
                          classification="202", open_type="conditional", open_conditions="需签署协议"),
    }
    client.post("/api/v1/resources", json={"title": "交通草稿", "description": "x", "classification": "102",
                                           "format_class": "electronic_file", "share_type": "unconditional",
                                           "share_method": "platform_file", "open_type": "unconditional",
                                           "update_frequency": "monthly"}, headers=world.editor_a.headers)
    return {name: str(rid) for name, rid in ids.items()}


def ids(answer) -> list[str]:
    return [p["id"] for p in answer["results"]]


def test_plain_text_search_finds_published_packages(ckan, catalog):
    answer = ckan.action.package_search(q="交通")
    assert answer["count"] == 2 and set(ids(answer)) == {catalog["traffic"], catalog["roads"]}
    everything = ckan.action.package_search(q="*:*")
    assert everything["count"] == 4 and everything["sort"] == "score desc, metadata_modified desc"
    assert ckan.action.package_search()["count"] == 4
    for text in ['"', "(交通", "交通 AND", "title:交通", "*", "a" * 5000, "\x01", "tags:交通 OR x:y", "{!func}x"]:
        assert ckan.action.package_search(q=text)["count"] >= 0


@pytest.mark.parametrize("fq, expected", [
    ("tags:交通", {"traffic", "roads"}),
    ("tags:(交通 OR 教育)", {"traffic", "roads", "school"}),
    ("tags:教育 OR tags:卫生", {"school", "health"}),
    ("res_format:spreadsheet", {"school"}),
    ("groups:tran", {"traffic", "roads"}),
    ("groups:201", {"school"}),
    ("groups:tran +groups:102", {"traffic", "roads"}),
    ('license_id:"CC-BY-4.0"', {"traffic", "roads"}),
    ("share_type:conditional", {"traffic"}),
    ("extras_open_type:conditional", {"health"}),
    ("+dataset_type:dataset +state:active", {"traffic", "school", "roads", "health"}),
    ("capacity:private", set()),
    ("tags:没有的标签", set()),
    ("share_type:conditional AND share_type:none", set()),
])
def test_fq_filters_on_the_common_fields(ckan, catalog, fq, expected):
    answer = ckan.action.package_search(fq=fq, rows=50)
    assert set(ids(answer)) == {catalog[name] for name in expected} and answer["count"] == len(expected)


def test_fq_organization_takes_the_organization_name_or_id(ckan, catalog, world):
    for value in (world.dept_b.credit_code.lower(), world.dept_b.credit_code):
        answer = ckan.action.package_search(fq=f"organization:{value}")
        assert set(ids(answer)) == {catalog["roads"], catalog["health"]}
    either = f"organization:{world.dept_a.credit_code.lower()} OR organization:{world.dept_b.credit_code.lower()}"
    assert ckan.action.package_search(fq=either)["count"] == 4
    assert ckan.action.package_search(fq=f"owner_org:{world.dept_a.credit_code}", q="交通")["count"] == 1


@pytest.mark.parametrize("fq, field", [("colour:red", "colour"), ("tags:x size:y", "size"), ("name:abc", "name")])
def test_unknown_fq_fields_are_validation_errors_naming_them(ckan, fq, field):
    with pytest.raises(ckanapi.ValidationError) as error:
        ckan.action.package_search(fq=fq)
    assert field in error.value.error_dict["fq"][0]
    assert error.value.error_dict["__type"] == "Validation Error"


@pytest.mark.parametrize("fq", ["-tags:交通", "tags:a tags:b", "organization:x OR tags:y", "tags:[a TO b]"])
def test_filters_the_catalog_cannot_answer_are_validation_errors(ckan, fq):
    with pytest.raises(ckanapi.ValidationError) as error:
        ckan.action.package_search(fq=fq)
    assert "fq" in error.value.error_dict


@pytest.mark.parametrize("fq", ["tags:(交通", 'tags:"open', "交通", "tags:"])
def test_unreadable_fq_is_a_search_query_error(ckan, fq):
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(fq=fq)


def test_bad_parameters_are_refused(ckan):
    with pytest.raises(ckanapi.ValidationError) as error:
        ckan.action.package_search(rows="many")
    assert "rows" in error.value.error_dict
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.package_search(sort="name asc")
    with pytest.raises(ckanapi.ValidationError) as facet:
        ckan.action.package_search(**{"facet.field": ["colour"]})
    assert "colour" in facet.value.error_dict["facet.field"][0]
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(colour="red")


def test_sorts(ckan, catalog):
    by_title = ckan.action.package_search(sort="title_string asc", rows=10)
    titles = [p["title"] for p in by_title["results"]]
    assert titles == sorted(titles)
    newest = ckan.action.package_search(sort="metadata_modified desc")
    seconds = [p["metadata_modified"][:19] for p in newest["results"]]    # engines order by the second
    assert seconds == sorted(seconds, reverse=True) and len(newest["results"]) == 4
    assert ids(ckan.action.package_search(sort="id asc")) == ids(newest)
    assert ids(ckan.action.package_search(q="交通", sort="score desc, metadata_modified desc"))


def test_facets_in_ckans_shapes(ckan, catalog, world):
    answer = ckan.action.package_search(**{"facet.field": FACETS, "rows": 0})
    assert answer["results"] == [] and answer["count"] == 4
    facets, search_facets = answer["facets"], answer["search_facets"]
    assert set(facets) == set(search_facets) == set(FACETS)
    assert facets["organization"] == {world.dept_a.credit_code.lower(): 2, world.dept_b.credit_code.lower(): 2}
    organization = {i["name"]: i for i in search_facets["organization"]["items"]}
    assert organization[world.dept_a.credit_code.lower()]["display_name"] == world.dept_a.name
    assert facets["tags"]["交通"] == 2 and facets["res_format"] == {"electronic_file": 3, "spreadsheet": 1}
    assert facets["groups"]["tran"] == 2 and facets["groups"]["102"] == 2 and facets["groups"]["201"] == 1
    groups = {i["name"]: i["display_name"] for i in search_facets["groups"]["items"]}
    assert groups["tran"] == "交通" and groups["201"] == "公共服务"
    assert facets["license_id"] == {"CC-BY-4.0": 2}
    assert facets["share_type"] == {"unconditional": 3, "conditional": 1}
    assert facets["extras_open_type"] == {"unconditional": 3, "conditional": 1}
    for facet in search_facets.values():
        assert set(facet) == {"title", "items"}
        assert all(set(item) == {"name", "display_name", "count"} for item in facet["items"])
    limited = ckan.action.package_search(**{"facet.field": ["tags"], "facet.limit": 1})
    assert len(limited["search_facets"]["tags"]["items"]) == 1
    filtered = ckan.action.package_search(fq="groups:tran", **{"facet.field": ["organization", "tags"]})
    assert sum(filtered["facets"]["organization"].values()) == 2 and "教育" not in filtered["facets"]["tags"]


def test_rows_start_and_fl(ckan, catalog):
    everything = ids(ckan.action.package_search(sort="metadata_modified desc", rows=4))
    for start, rows in [(0, 2), (1, 2), (2, 2), (3, 3), (1, 3), (4, 2), (10, 1)]:
        page = ckan.action.package_search(sort="metadata_modified desc", rows=rows, start=start)
        assert ids(page) == everything[start:start + rows] and page["count"] == 4
    assert len(ckan.action.package_search(rows=5000)["results"]) == 4      # capped at 1000, like CKAN
    slim = ckan.action.package_search(fl="id name", rows=1)
    assert set(slim["results"][0]) == {"id", "name"}


def test_metadata_modified_ranges_give_what_changed_since(app, client, world, ckan, catalog):
    time.sleep(1.1)
    since = datetime.now(timezone.utc).replace(tzinfo=None).isoformat()
    later = publish(client, world, title="新发布的交通数据", keywords=["交通"])
    answer = ckan.action.package_search(fq=f"metadata_modified:[{since}Z TO *]", sort="id asc", rows=100)
    assert ids(answer) == [str(later)] and answer["count"] == 1
    narrowed = ckan.action.package_search(fq=f"metadata_modified:[{since}Z TO NOW] tags:交通", q="交通",
                                          sort="metadata_modified desc", **{"facet.field": ["tags"]})
    assert ids(narrowed) == [str(later)] and narrowed["facets"]["tags"] == {"交通": 1}
    assert ckan.action.package_search(fq="metadata_modified:[2000-01-01T00:00:00Z TO *]")["count"] == 5
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.package_search(fq="metadata_modified:[yesterday TO *]")


def test_a_harvester_pulls_every_published_package_exactly_once(app, db, client, world, ckan):
    """Page through the whole published catalog as CKAN's own harvester does: sort id asc, rows, start, until empty."""
    published = set(map(str, publish_many(app, db, world.dept_a, 37) + publish_many(app, db, world.dept_b, 21)))
    client.post("/api/v1/resources", json={"title": "草稿", "description": "x", "classification": "102",
                                           "format_class": "electronic_file", "share_type": "unconditional",
                                           "share_method": "platform_file", "open_type": "unconditional",
                                           "update_frequency": "monthly"}, headers=world.editor_a.headers)
    seen, names, start, rows = [], [], 0, 10
    while True:
        page = ckan.action.package_search(rows=rows, start=start, sort="id asc")
        assert page["count"] == len(published)
        if not page["results"]:
            break
        seen += ids(page)
        names += [p["name"] for p in page["results"]]
        start += rows
    assert len(seen) == len(set(seen)) and set(seen) == published
    assert sorted(names) == ckan.action.package_list()
    by_org = ckan.action.package_search(fq=f"organization:{world.dept_b.credit_code.lower()}", rows=1000)
    assert by_org["count"] == 21 and len(by_org["results"]) == 21


def test_a_package_name_or_resource_code_as_text_finds_the_package(ckan, catalog):
    name = ckan.action.package_show(id=catalog["school"])["name"]
    assert ids(ckan.action.package_search(q=name)) == [catalog["school"]]
    assert ids(ckan.action.package_search(q=name.replace("-", "/"))) == [catalog["school"]]


class DownEngine:
    """An engine that cannot be reached: every search fails as a refused connection would."""

    def __init__(self, engine):
        self.engine = engine

    def __getattr__(self, name):
        if name in ("search", "suggest", "write"):
            def down(*args, **kwargs):
                raise SearchUnavailable("connection refused")
            return down
        return getattr(self.engine, name)


def test_without_the_engine_listing_still_works_and_text_search_says_so(app, ckan, catalog, world):
    app.extensions["govcat.search"] = DownEngine(app.extensions["govcat.search"])
    listing = ckan.action.package_search(rows=2, start=1, fq=f"organization:{world.dept_b.credit_code.lower()}")
    assert listing["count"] == 2 and len(listing["results"]) == 1
    with pytest.raises(ckanapi.CKANAPIError) as error:
        ckan.action.package_search(q="交通")
    assert "Search Connection Error" in str(error.value) and "503" in str(error.value)
    assert ckan.action.package_show(id=catalog["traffic"])["id"] == catalog["traffic"]
