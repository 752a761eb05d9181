"""Finding what people mean, on the demo catalog, run the same on every engine: the searches of the
issue that asked for words instead of bigrams — several words run together, synonyms, English,
full-width and traditional forms — a looser match when the strict one finds nothing, and a corrected
query when that finds nothing either."""
from __future__ import annotations

import pytest

from registry.search.engine import search_correcting, search_relaxing
from registry.search.query import SearchQuery
from tests.registry.search.demo_documents import demo_documents


@pytest.fixture
def demo(engine):
    documents, titles = demo_documents()
    engine.write(documents, [])
    engine.titles = titles
    return engine


def find(engine, text, per_page=10):
    result = search_relaxing(engine, SearchQuery(text=text, sort="relevance", per_page=per_page))
    return result, [engine.titles[hit.resource_id] for hit in result.hits]


def test_several_chinese_words_run_together_find_the_resource_meant_first(demo):
    result, titles = find(demo, "企业信用")
    assert titles[0] == "杭州市企业公共信用评价结果" and not result.relaxed
    _, titles = find(demo, "公交线路查询")                   # 查询 says what to do, not what about
    assert set(titles[:2]) == {"杭州市公交线路和站点信息", "浙江省公交线路和站点信息"}
    _, titles = find(demo, "杭州空气质量")
    assert titles[0] == "杭州市空气质量自动监测数据"
    assert all("空气质量" in title for title in titles)


def test_english_finds_chinese_only_resources_through_labels_and_synonyms(demo):
    _, titles = find(demo, "air quality")
    assert len(titles) == 4 and all("空气质量" in title for title in titles)
    result, titles = find(demo, "credit", per_page=20)
    assert result.total >= 15
    assert all("信" in title for title in titles[:6])          # 信用, 失信, 守信 …
    assert "杭州市企业公共信用评价结果" in titles[:3]


def test_synonyms_and_abbreviations(demo):
    _, titles = find(demo, "医院")
    assert titles and all("医疗" in title for title in titles[:5])
    _, titles = find(demo, "最低生活保障")
    assert titles and all("低保" in title for title in titles)
    _, plain = find(demo, "公共交通")
    assert "杭州市公交线路和站点信息" in plain


def test_full_width_and_traditional_forms_are_folded(demo):
    assert find(demo, "企業信用")[1][0] == "杭州市企业公共信用评价结果"
    assert find(demo, "ＡＩＲ　ＱＵＡＬＩＴＹ")[1] == find(demo, "air quality")[1]


def test_a_query_no_resource_fully_matches_gets_a_looser_match_said_to_be_one(demo):
    strict = demo.search(SearchQuery(text="公交线路空气质量", sort="relevance"))
    assert strict.total == 0
    result, titles = find(demo, "公交线路空气质量")
    assert result.relaxed and result.total >= 6
    assert all("公交线路" in title or "空气质量" in title for title in titles[:6])


def test_the_catalog_has_no_budget_and_says_so_rather_than_showing_that_years_resources(demo):
    result, titles = find(demo, "2023年财政预算")
    assert result.total == 0 and not result.relaxed and titles == []


def corrected(engine, text):
    result, to = search_correcting(engine, SearchQuery(text=text, sort="relevance"), lambda: ("Kindergartens",))
    return result, to, [engine.titles[hit.resource_id] for hit in result.hits]


def test_a_misspelt_query_that_finds_nothing_is_searched_corrected_and_says_so(demo):
    for typo, meant, title in [("幼儿圆", "幼儿园", "幼儿园"), ("kindergarden", "kindergarten", "幼儿园"),
                               ("hospitels", "hospital", "医疗"), ("pollusion", "pollution", "污")]:
        assert demo.search(SearchQuery(text=typo)).total == 0
        result, to, titles = corrected(demo, typo)
        assert to == meant, typo
        assert result.total and all(title in found for found in titles[:3]), (typo, titles)


def test_a_query_that_finds_something_or_is_no_slip_is_never_corrected(demo):
    result, to, titles = corrected(demo, "kindergarten")        # found as typed
    assert to is None and "幼儿园" in titles[0]
    result, to, titles = corrected(demo, "2023年财政预算")          # nothing close: still nothing
    assert to is None and result.total == 0
