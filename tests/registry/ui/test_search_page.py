"""The search page as people use it: sort, numbered pages, filters to remove, long facets folded, a way
out when nothing matches, labels in the page's language."""
from __future__ import annotations

import re


def test_numbered_pages_sort_and_folded_facets(client, demo):
    page = client.get("/search?page=3&sort=title").get_data(as_text=True)
    assert '<strong aria-current="page">3</strong>' in page
    assert re.search(r'<a href="/search\?page=1&amp;sort=title">1</a>', page)
    assert '<option value="title" selected>' in page
    assert "<details><summary>" in page                       # a long facet shows its first values, then "more"


def test_a_filter_is_shown_and_removed_and_nothing_found_offers_a_way_out(client, demo):
    page = client.get("/search?q=交通&share_type=none,unconditional").get_data(as_text=True)
    assert page.count('class="chip"') == 2 and "清除全部筛选" in page
    empty = client.get("/search?q=交通&theme=AGRI&format_class=streaming").get_data(as_text=True)
    assert "没有找到匹配的信息资源" in empty
    assert re.search(r'<a href="/search\?q=%E4%BA%A4%E9%80%9A">去掉筛选后重新检索</a>', empty)


def test_facet_labels_follow_the_page_language(client, demo):
    chinese = client.get("/search").get_data(as_text=True)
    english = client.get("/search?lang=en").get_data(as_text=True)
    assert "<h2>共享类型</h2>" in chinese and "<h2>Sharing type</h2>" in english
    assert ">无条件共享</a>" in chinese and ">Unconditional sharing</a>" in english


def test_a_looser_match_is_said_to_be_one_and_close_terms_are_offered(client, demo):
    page = client.get("/search?q=公交线路空气质量").get_data(as_text=True)
    assert "没有资源包含全部检索词，以下为放宽条件后的结果。" in page
    assert "公交线路" in page and "空气质量" in page
    strict = client.get("/search?q=企业信用").get_data(as_text=True)
    assert "放宽条件" not in strict and "杭州市<mark>企业</mark>公共<mark>信用</mark>评价结果" in strict
    typo = client.get("/search?q=社会信誉&lang=en").get_data(as_text=True)
    assert "Did you mean:" in typo and re.search(r'<a href="/search\?q=[^"]+">社会信用</a>', typo)


def test_a_misspelt_query_shows_the_results_of_its_correction_and_says_so(client, demo):
    page = client.get("/search?q=幼儿圆").get_data(as_text=True)
    assert "没有找到“幼儿圆”的结果，以下为“幼儿园”的结果。" in page
    assert "<mark>幼儿园</mark>" in page
    english = client.get("/search?q=kindergarden&lang=en").get_data(as_text=True)
    assert "Nothing was found for kindergarden: showing results for kindergarten." in english
    assert "showing results for" not in client.get("/search?q=幼儿园&lang=en").get_data(as_text=True)
