"""What every server engine must offer for govcat, checked on the real nodes with each one's own client.

Why: govcat analyses text in Python and sends the servers words separated by spaces, so an index
needs only the ``whitespace`` tokenizer (and the core ``lowercase`` filter), ``keyword``, ``long``,
``date`` and ``float`` fields — what a bare Elasticsearch has without its unpublished
``analysis-common`` module, with the whitespace tokenizer from the test node's own plugin
(scripts/elasticsearch). These tests hold both nodes to that, and to every kind of request the
server engine sends (``registry/search/server.py``): ``multi_match`` across fields, ``term(s)``,
``bool``, ``function_score`` with decay, ``post_filter``, filtered ``terms`` aggregations,
highlighting from offsets, ``search_after`` paging, ``_aliases`` swaps, bulk with ``require_alias``
and the root endpoint (``GET /``) that ``auto`` detection reads.
"""
from __future__ import annotations

import time

import pytest

from registry.search.clients import ADAPTERS
from tests.registry.search.conftest import require_server

_WORDS = {"type": "text", "analyzer": "govcat_words", "index_options": "offsets"}
BODY = {
    "settings": {"number_of_shards": 1, "number_of_replicas": 0,
                 "analysis": {"analyzer": {"govcat_words": {"type": "custom", "tokenizer": "whitespace",
                                                            "filter": ["lowercase"]}}}},
    "mappings": {"dynamic": False, "properties": {
        "title": _WORDS, "description": _WORDS, "plain": {"type": "text", "analyzer": "whitespace"},
        "kind": {"type": "keyword"}, "theme": {"type": "keyword"}, "resource_id": {"type": "long"},
        "modified": {"type": "date"}, "weight": {"type": "float"}}},
}
DOCUMENTS = [
    {"resource_id": 1, "kind": "public", "theme": "TRAN", "title": "杭州 公交 线路 Bus Routes",
     "description": "公交 线路 查询", "plain": "公交", "modified": "2026-01-02T00:00:00Z", "weight": 1.5},
    {"resource_id": 2, "kind": "public", "theme": "TRAN", "title": "公共 交通 客流",
     "description": "地铁 公交 客流", "plain": "交通", "modified": "2025-06-01T00:00:00Z", "weight": 0.5},
    {"resource_id": 3, "kind": "public", "theme": "ENVI", "title": "杭州 空气 质量 Air Quality",
     "description": "", "plain": "空气", "modified": "2024-03-01T00:00:00Z", "weight": 2.0},
    {"resource_id": 4, "kind": "working", "theme": "TRAN", "title": "公交 站点", "description": "",
     "plain": "", "modified": "2026-02-01T00:00:00Z", "weight": 1.0},
]


@pytest.fixture(params=["opensearch", "elasticsearch"])
def node(request):
    """``(adapter, index, alias)`` on the real node of each kind: an index loaded with DOCUMENTS, deleted after."""
    kind = request.param
    adapter = ADAPTERS[kind]([require_server(kind)], None, {})
    index = f"govcat-features-{kind}-{time.time_ns()}"
    alias = f"{index}-alias"
    adapter.create_index(index, {**BODY, "aliases": {alias: {}}})
    operations = []
    for document in DOCUMENTS:
        operations += [{"index": {"_id": str(document["resource_id"])}}, document]
    answer = adapter.bulk(alias, operations, refresh=True, require_alias=True)
    assert not answer["errors"], answer
    yield kind, adapter, index, alias
    adapter.delete_indices([name for name in adapter.aliases(f"{index}*")] or [index])


def ids(answer: dict) -> list[int]:
    return [hit["_source"]["resource_id"] for hit in answer["hits"]["hits"]]


def test_root_endpoint_names_the_product(node):
    kind, adapter, _, _ = node
    version = adapter.info()["version"]
    assert version["number"].split(".")[0] == ("2" if kind == "opensearch" else "8")
    assert (version.get("distribution") == "opensearch") == (kind == "opensearch")


def test_whitespace_words_are_the_terms(node):
    _, adapter, _, alias = node
    one = {"query": {"match": {"title": {"query": "公交"}}}, "sort": [{"resource_id": "asc"}],
           "_source": ["resource_id"]}
    assert ids(adapter.search(alias, one)) == [1, 4]
    assert ids(adapter.search(alias, {**one, "query": {"match": {"title": "交"}}})) == []   # no bigrams, no chars
    assert ids(adapter.search(alias, {**one, "query": {"match": {"title": "air"}}})) == [3]  # lower-cased
    assert ids(adapter.search(alias, {**one, "query": {"match": {"plain": "交通"}}})) == [2]  # built-in analyzer


def test_multi_match_bool_terms_function_score_and_post_filter(node):
    _, adapter, _, alias = node
    text = {"multi_match": {"query": "公交 线路", "type": "cross_fields", "fields": ["title^5", "description"],
                            "operator": "and", "tie_breaker": 1.0}}
    decay = {"exp": {"modified": {"origin": "now/d+1d", "scale": "365d", "decay": 0.3679}}, "weight": 0.17}
    body = {"query": {"function_score": {
        "query": {"bool": {"filter": [{"term": {"kind": "public"}}, {"terms": {"resource_id": [1, 2, 3]}},
                                      {"range": {"modified": {"gte": 0, "format": "epoch_millis"}}}],
                           "must": [text]}},
        "functions": [decay, {"weight": 1}], "score_mode": "sum", "boost_mode": "multiply"}},
        "sort": [{"_score": "desc"}, {"resource_id": "asc"}], "_source": ["resource_id"], "track_total_hits": True}
    answer = adapter.search(alias, body)
    assert ids(answer) == [1] and answer["hits"]["total"]["value"] == 1
    loose = {**body, "query": {"bool": {"must": [{**text, "multi_match": {**text["multi_match"], "operator": "or",
                                                                          "minimum_should_match": "1"}}]}}}
    assert ids(adapter.search(alias, loose))[0] == 1 and set(ids(adapter.search(alias, loose))) == {1, 2, 4}
    filtered = {**loose, "post_filter": {"bool": {"filter": [{"terms": {"kind": ["working"]}}]}}}
    assert ids(adapter.search(alias, filtered)) == [4]


def test_filtered_terms_aggregations(node):
    _, adapter, _, alias = node
    aggs = {"theme": {"filter": {"bool": {"filter": [{"term": {"kind": "public"}}]}},
                      "aggs": {"values": {"terms": {"field": "theme", "size": 10}}}}}
    answer = adapter.search(alias, {"size": 0, "aggs": aggs})
    buckets = answer["aggregations"]["theme"]["values"]["buckets"]
    assert [(b["key"], b["doc_count"]) for b in buckets] == [("TRAN", 2), ("ENVI", 1)]


def test_highlight_from_offsets(node):
    _, adapter, _, alias = node
    body = {"query": {"match": {"title": "杭州"}}, "sort": [{"resource_id": "asc"}], "_source": ["resource_id"],
            "highlight": {"pre_tags": ["<mark>"], "post_tags": ["</mark>"], "encoder": "html", "no_match_size": 0,
                          "fields": {"title": {"number_of_fragments": 0},
                                     "description": {"fragment_size": 240, "number_of_fragments": 1}}}}
    hits = adapter.search(alias, body)["hits"]["hits"]
    assert [h["highlight"] for h in hits] == [{"title": ["<mark>杭州</mark> 公交 线路 Bus Routes"]},
                                             {"title": ["<mark>杭州</mark> 空气 质量 Air Quality"]}]


def test_search_after_pages(node):
    _, adapter, _, alias = node
    body = {"size": 2, "query": {"match_all": {}}, "sort": [{"modified": "desc"}, {"resource_id": "asc"}],
            "_source": ["resource_id"]}
    first = adapter.search(alias, body)
    second = adapter.search(alias, {**body, "search_after": first["hits"]["hits"][-1]["sort"]})
    assert ids(first) + ids(second) == [4, 1, 2, 3]


def test_alias_swap_and_bulk_into_the_alias_only(node):
    _, adapter, index, alias = node
    other = f"{index}-next"
    adapter.create_index(other, BODY)
    adapter.update_aliases([{"remove": {"index": index, "alias": alias}}, {"add": {"index": other, "alias": alias}}])
    assert list(adapter.aliases(alias)) == [other]
    missing = adapter.bulk(f"{index}-nothing", [{"index": {"_id": "9"}}, {"resource_id": 9}], refresh=True,
                           require_alias=True)
    assert missing["errors"] and "index_not_found" in str(missing["items"][0]["index"]["error"]["type"])
    adapter.delete_indices([other])
