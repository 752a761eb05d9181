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
