"""The search contract, run the same on every engine: what users of the catalog's search would check.

Documents are built by the real document builder from unsaved resources, so the engines index
exactly what the catalog gives them.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from registry.departments.models import Department
from registry.resources.models import Resource
from registry.search.documents import documents_for
from registry.search.query import SearchQuery, Visibility
from tests.factories import ResourceDataFactory

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
PROVINCE = Department(id=1, credit_code="11330000002482002M", name="浙江省数据管理局", name_en="Data bureau, Zhejiang",
                      level="provincial", region_code="330000", branch_code="301")
CITY = Department(id=2, credit_code="113301000052037985", name="杭州市数据资源局", name_en="Data resources bureau, Hangzhou",
                  level="municipal", region_code="330100", branch_code="301001")


def resource(rid, *, department=PROVINCE, state="published", days_old=10, **metadata):
    data = ResourceDataFactory(**metadata)
    data.setdefault("classification", "201")
    doc = {**data, "provider": department.credit_code}
    when = NOW - timedelta(days=days_old)
    return Resource(id=rid, code=f"{doc['classification']}/{rid:06d}", department=department,
                    department_id=department.id, classification_code=doc["classification"], state=state,
                    is_public=state == "published", title=doc["title"], doc=doc, version=1, created_at=when,
                    modified_at=when, published_at=when if state == "published" else None)


def load(engine, *resources):
    documents = [d for r in resources for d in documents_for(r)[0]]
    engine.write(documents, [])


def ids(result):
    return [hit.resource_id for hit in result.hits]


def search(engine, text="", **options):
    options.setdefault("sort", "relevance" if text else "modified")
    return engine.search(SearchQuery(text=text, **options))


@pytest.fixture
def catalog(engine):
    load(engine,
         resource(1, title="杭州市交通运输统计", title_en="Hangzhou transport statistics", keywords=["统计"],
                  share_type="conditional", share_conditions="仅限政务使用", themes=["TRAN"], classification="201",
                  days_old=5),
         resource(2, title="城市交通流量", keywords=["流量"], open_type="none", themes=["TRAN"], classification="203",
                  days_old=50),
         resource(3, title="教育经费年报", title_en="Annual report on education funding", department=CITY,
                  keywords=["教育"], themes=["EDUC"], classification="202", days_old=200),
         resource(4, title="学校名录", description="全市中小学，含交通便利程度。", department=CITY, keywords=["学校"],
                  themes=["EDUC"], classification="202", license="CC-BY-4.0", days_old=300),
         resource(5, title="草稿：交通事故", department=PROVINCE, state="draft"),
         resource(6, title="草稿：学区划分", department=CITY, state="submitted"))
    return engine


def test_chinese_is_matched_by_words_in_any_order(catalog):
    assert set(ids(search(catalog, "交通"))) == {1, 2, 4}
    assert ids(search(catalog, "交通运输")) == [1]
    assert ids(search(catalog, "教育")) == [3]
    # Words, not one string of bigrams: both words are in resource 1, in the other order.
    assert ids(search(catalog, "运输交通")) == [1]
    assert ids(search(catalog, "交通学校")) == [4]       # 学校 in its title, 交通 in its description
    assert ids(search(catalog, "交通经费")) == []        # every word is required


def test_english_is_stemmed(catalog):
    assert ids(search(catalog, "statistic")) == [1]
    assert ids(search(catalog, "Reports EDUCATION")) == [3]


def test_title_ranks_above_keywords_above_description(engine):
    load(engine, resource(1, title="学校名录", description="含交通信息。", days_old=1),
         resource(2, title="公交线路", keywords=["交通"], days_old=1),
         resource(3, title="交通设施", days_old=1))
    assert ids(search(engine, "交通")) == [3, 2, 1]


def test_codes_match_exactly(catalog):
    assert ids(search(catalog, "202/000003")) == [3]
    assert set(ids(search(catalog, CITY.credit_code))) == {3, 4}


def test_recently_updated_resources_get_a_light_boost(engine):
    load(engine, resource(1, title="人口统计", days_old=900), resource(2, title="人口统计", days_old=3))
    assert ids(search(engine, "人口")) == [2, 1]


def test_filters_and_multi_select_facets(catalog):
    result = search(catalog, filters={"theme": ("TRAN",)})
    assert set(ids(result)) == {1, 2} and result.total == 2
    facets = {name: dict(buckets) for name, buckets in result.facets.items()}
    assert facets["theme"] == {"TRAN": 2, "EDUC": 2}              # its own filter ignored
    assert facets["share_type"] == {"conditional": 1, "unconditional": 1}
    assert facets["department"] == {PROVINCE.credit_code: 2}
    assert facets["classification"] == {"201": 1, "203": 1}
    both = search(catalog, filters={"theme": ("TRAN", "EDUC"), "department": (CITY.credit_code,)})
    assert set(ids(both)) == {3, 4}
    assert dict(both.facets["department"]) == {PROVINCE.credit_code: 2, CITY.credit_code: 2}
    assert ids(search(catalog, filters={"classification": ("2",), "license": ("CC-BY-4.0",)})) == [4]
    assert ids(search(catalog, filters={"level": ("county",)})) == []


def test_sorting(catalog):
    assert ids(search(catalog, sort="modified")) == [1, 2, 3, 4]
    assert ids(search(catalog, sort="title")) == sorted([1, 2, 3, 4], key=lambda i: {
        1: "杭州市交通运输统计", 2: "城市交通流量", 3: "教育经费年报", 4: "学校名录"}[i])


def test_paging_and_cursor(engine):
    load(engine, *[resource(i, title=f"数据集{i:03d}", days_old=i) for i in range(1, 26)])
    first = search(engine, per_page=10)
    assert first.total == 25 and ids(first) == list(range(1, 11))
    assert ids(search(engine, per_page=10, page=3)) == list(range(21, 26))
    assert ids(search(engine, per_page=10, page=4)) == []
    seen, cursor = [], None
    while True:
        page = search(engine, per_page=7, cursor=cursor)
        seen += ids(page)
        cursor = page.next_cursor
        if not cursor:
            break
    assert seen == list(range(1, 26))


def test_highlights_mark_matched_words_and_escape_html(engine):
    load(engine, resource(1, title="<b>交通</b>数据 & 统计", description="全省交通运输的统计数据。"))
    hit = search(engine, "交通").hits[0]
    assert hit.highlight["title"] == "&lt;b&gt;<mark>交通</mark>&lt;/b&gt;数据 &amp; 统计"
    assert "<mark>交通</mark>" in hit.highlight["description"]


def test_visibility_is_applied_by_the_engine(catalog):
    assert 5 not in ids(search(catalog, "交通"))
    province = Visibility(public=False, departments=frozenset({PROVINCE.id}))
    assert set(ids(search(catalog, visibility=province))) == {1, 2, 5}
    drafts = Visibility(public=False, departments=frozenset({PROVINCE.id, CITY.id}), states=frozenset({"draft"}))
    assert ids(search(catalog, visibility=drafts)) == [5]
    everyone = Visibility(public=False, departments=None, states=frozenset({"draft", "submitted"}))
    assert set(ids(search(catalog, visibility=everyone))) == {5, 6}
    nobody = Visibility(public=False, departments=frozenset())
    assert ids(search(catalog, visibility=nobody)) == []


def test_suggestions_complete_chinese_prefixes(catalog):
    titles = [title for _, title in catalog.suggest("杭州", Visibility(), 5)]
    assert titles == ["杭州市交通运输统计"]
    assert {title for _, title in catalog.suggest("教", Visibility(), 5)} >= {"教育经费年报"}
    assert all("草稿" not in title for _, title in catalog.suggest("草", Visibility(), 5))


@pytest.mark.parametrize("text", ['"交通', "(交通 AND", "交通*", "title:交通", "a" * 5000, "交\x00通\x07",
                                  "OR", "-", "[1 TO 2]", "\\", "交通 OR 1=1", "🚗 交通"])
def test_any_text_is_plain_text(catalog, text):
    result = search(catalog, text[:500])
    assert result.total == len(result.hits) or result.total > len(result.hits)


def test_writes_replace_and_delete(engine):
    load(engine, resource(1, title="旧标题"))
    load(engine, resource(1, title="新标题"))
    assert ids(search(engine, "新标")) == [1] and ids(search(engine, "旧标")) == []
    engine.write([], ["p1", "w1"])
    assert search(engine).total == 0


def test_rebuild_swaps_in_a_new_index_at_once(catalog):
    before = catalog.counts()
    assert before == {"public": 4, "working": 6}
    fresh = [d for r in [resource(7, title="新建索引中的资源")] for d in documents_for(r)[0]]
    assert catalog.rebuild(iter([fresh])) == 2
    assert catalog.counts() == {"public": 1, "working": 1}
    assert catalog.document_ids() == {"p7", "w7"}
    assert ids(search(catalog, "索引")) == [7] and ids(search(catalog, "交通")) == []


def test_modified_since(catalog):
    assert ids(search(catalog, modified_since=NOW - timedelta(days=60))) == [1, 2]
    assert ids(search(catalog, "交通", modified_since=NOW - timedelta(days=20))) == [1]


def test_highlights_mark_the_words_asked_for_and_keep_the_whole_title(engine):
    load(engine, resource(1, title="自然灾害灾情统计（2024）", description="城市建设中的灾害防治，全市范围。"))
    hit = search(engine, "自然灾害").hits[0]
    assert hit.highlight["title"] == "<mark>自然灾害</mark>灾情统计（2024）"
    hit = search(engine, "城市建设").hits[0]
    assert hit.highlight["description"] == "<mark>城市建设</mark>中的灾害防治，全市范围。"


def test_facet_counts_are_exact(engine):
    themes = ["TRAN"] * 11 + ["EDUC"] * 7 + ["HEAL"] * 6 + ["ENVI"] * 6
    load(engine, *[resource(i + 1, title=f"数据{i}", themes=[theme]) for i, theme in enumerate(themes)])
    engine.write([], [])
    counts = dict(search(engine).facets["theme"])
    assert counts == {"TRAN": 11, "EDUC": 7, "HEAL": 6, "ENVI": 6}
