"""The server engine's own concerns, beyond the contract suite (which every engine runs).

Without a node: reading ``GOVCAT_SEARCH_URL`` (several nodes, credentials, https) into each
client's configuration, ``auto`` detection against a stand-in root endpoint, credentials kept out
of ``describe()``, errors and logs, and an unreachable server failing fast as ``SearchUnavailable``.

With real nodes (``GOVCAT_TEST_OPENSEARCH_URL``, ``GOVCAT_TEST_ELASTICSEARCH_URL``; skipped loudly
without them, failing when ``GOVCAT_REQUIRE_ENGINES=1``): an end-to-end run on OpenSearch with
``opensearch-py`` and on Elasticsearch with ``elasticsearch``, ``auto`` detection of each, the
alias swap of ``rebuild``, first-write index creation, and paging past the servers' 10,000-hit window.
"""
from __future__ import annotations

import json
import logging
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import urllib3

from registry.search.engine import SearchUnavailable
from registry.search.query import SearchQuery, Visibility, decode_cursor
from registry.search.clients import ADAPTERS, TIMEOUT, parse_urls
from registry.search.documents import analysed
from registry.search.server import ServerEngine
from tests.registry.search.conftest import require_server

SECRET = "s3cr3t-p@ss"
QUOTED_SECRET = "s3cr3t-p%40ss"


def config(url: str, kind: str = "auto", **more) -> dict:
    return {"GOVCAT_SEARCH_URL": url, "GOVCAT_SEARCH_ENGINE": kind, "GOVCAT_SEARCH_INDEX": "govcat",
            "GOVCAT_SEARCH_CA_CERTS": "", "GOVCAT_SEARCH_VERIFY_CERTS": True, **more}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- settings, without a node ----------------------------------------------------------------


def test_several_nodes_with_credentials_and_https():
    hosts, auth = parse_urls(f" https://reader:{QUOTED_SECRET}@node1.example:9200, https://node2.example/search/ ,")
    assert hosts == ["https://node1.example:9200", "https://node2.example:443/search"]
    assert auth == ("reader", SECRET)
    assert parse_urls("http://[::1]:9201") == (["http://[::1]:9201"], None)
    assert parse_urls("http://localhost")[0] == ["http://localhost:80"]


@pytest.mark.parametrize("url", ["", " , ", "node1:9200", "ftp://node1", "https://", "http://a:1,https://b:2",
                                 "http://u:p@a:1,http://u:q@b:1"])
def test_unusable_urls_are_refused_at_startup(url):
    with pytest.raises(ValueError):
        ServerEngine.from_config(config(url))


@pytest.mark.parametrize("changes", [{"GOVCAT_SEARCH_ENGINE": "solr"}, {"GOVCAT_SEARCH_INDEX": "Govcat"},
                                     {"GOVCAT_SEARCH_INDEX": "-govcat"}, {"GOVCAT_SEARCH_INDEX": "a/b"}])
def test_unusable_engine_or_alias_names_are_refused(changes):
    with pytest.raises(ValueError):
        ServerEngine.from_config({**config("http://127.0.0.1:9200"), **changes})


def test_opensearch_client_configuration():
    url = f"https://reader:{QUOTED_SECRET}@node1.example:9200,https://node2.example:9300/prefix"
    engine = ServerEngine.from_config(config(url, "opensearch", GOVCAT_SEARCH_CA_CERTS="ca.pem"))
    assert engine.name == "opensearch"
    transport = engine._adapter.client.transport
    assert [(h["host"], h["port"], h.get("use_ssl"), h.get("url_prefix")) for h in transport.hosts] == [
        ("node1.example", 9200, True, None), ("node2.example", 9300, True, "/prefix")]
    assert transport.max_retries == 2 and transport.retry_on_timeout is False
    for connection in transport.connection_pool.connections:
        assert connection.headers["authorization"] == \
            urllib3.make_headers(basic_auth=f"reader:{SECRET}")["authorization"]
        assert connection.timeout is TIMEOUT and TIMEOUT.connect_timeout == 3.0 and TIMEOUT.read_timeout == 10.0
        assert connection.pool.ca_certs == "ca.pem" and connection.pool.cert_reqs == "CERT_REQUIRED"
        assert SECRET not in connection.host


@pytest.mark.filterwarnings("ignore:Connecting to .* verify_certs=False is insecure")
def test_elasticsearch_client_configuration():
    url = f"https://reader:{QUOTED_SECRET}@node1.example:9200,https://node2.example:9300/prefix"
    engine = ServerEngine.from_config(config(url, "elasticsearch", GOVCAT_SEARCH_CA_CERTS="ca.pem",
                                             GOVCAT_SEARCH_VERIFY_CERTS=False))
    assert engine.name == "elasticsearch"
    client = engine._adapter.client
    nodes = sorted((n.config.scheme, n.config.host, n.config.port, n.config.path_prefix, n.config.ca_certs,
                    n.config.verify_certs) for n in client.transport.node_pool.all())
    assert nodes == [("https", "node1.example", 9200, "", "ca.pem", False),
                     ("https", "node2.example", 9300, "/prefix", "ca.pem", False)]
    assert client._headers["authorization"].startswith("Basic ")
    assert client._request_timeout is TIMEOUT and client._max_retries == 2


def test_plain_http_nodes_get_no_tls_options():
    engine = ServerEngine.from_config(config("http://127.0.0.1:9200", "elasticsearch", GOVCAT_SEARCH_CA_CERTS="ca.pem"))
    assert [n.config.ca_certs for n in engine._adapter.client.transport.node_pool.all()] == [None]


def test_credentials_stay_out_of_describe_repr_errors_and_logs(caplog):
    caplog.set_level(logging.DEBUG)
    for kind in ("opensearch", "elasticsearch", "auto"):
        engine = ServerEngine.from_config(config(f"http://reader:{QUOTED_SECRET}@127.0.0.1:{closed_port()}", kind))
        with pytest.raises(SearchUnavailable) as failure:
            engine.search(SearchQuery(text="交通"))
        report = engine.describe()
        assert report["available"] is False and report["hosts"][0].startswith("http://127.0.0.1:")
        for text in (str(failure.value), repr(failure.value.__cause__), json.dumps(report, ensure_ascii=False),
                     repr(engine), caplog.text):
            assert SECRET not in text and QUOTED_SECRET not in text and "reader" not in text


# -- an unreachable server -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["opensearch", "elasticsearch", "auto"])
def test_unreachable_server_is_unavailable_quickly(kind):
    engine = ServerEngine.from_config(config(f"http://127.0.0.1:{closed_port()},http://127.0.0.1:{closed_port()}",
                                             kind))   # no network at startup, auto included
    calls = [lambda: engine.search(SearchQuery(text="交通")), lambda: engine.write([{"id": "p1"}], []),
             lambda: engine.suggest("交", Visibility(), 5), engine.counts, engine.document_ids,
             lambda: engine.rebuild(iter([[]]))]
    for call in calls:
        started = time.monotonic()
        with pytest.raises(SearchUnavailable):
            call()
        assert time.monotonic() - started < 2
    assert engine.describe()["available"] is False


def test_after_a_failure_calls_fail_at_once_for_a_moment_then_try_again(monkeypatch):
    monkeypatch.setattr("registry.search.server.PAUSE_SECONDS", 0.3)
    port = closed_port()
    engine = ServerEngine.from_config(config(f"http://127.0.0.1:{port}", "opensearch"))
    with pytest.raises(SearchUnavailable):
        engine.counts()
    server = _stand_in({"version": {"distribution": "opensearch", "number": "2.19.1"}}, {}, port)
    try:
        with pytest.raises(SearchUnavailable, match="not retried"):
            engine.counts()                                  # paused: the server is not asked
        time.sleep(0.4)
        assert engine.counts() == {"public": 0, "working": 0}   # asked again: no index yet
    finally:
        server.shutdown()
        server.server_close()


# -- auto detection against a stand-in root endpoint ------------------------------------------


def _stand_in(root: dict, headers: dict, port: int = 0):
    class Root(BaseHTTPRequestHandler):
        def do_GET(self):
            status, body = (200, root) if self.path == "/" else (404, {
                "error": {"type": "index_not_found_exception", "reason": "no such index"}, "status": 404})
            data = json.dumps(body).encode()
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Root)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize("root, headers, expected", [
    ({"version": {"distribution": "opensearch", "number": "2.19.1"}}, {}, "opensearch"),
    ({"version": {"number": "8.17.0", "build_flavor": "default"}, "tagline": "You Know, for Search"},
     {"X-Elastic-Product": "Elasticsearch"}, "elasticsearch"),
])
def test_auto_asks_the_server_what_it_is(root, headers, expected):
    server = _stand_in(root, headers)
    try:
        engine = ServerEngine.from_config(config(f"http://127.0.0.1:{server.server_address[1]}", "auto"))
        assert engine.name == "auto" and engine._adapter is None       # nothing asked before first use
        report = engine.describe()
        assert engine.name == report["engine"] == expected
        assert report["available"] is True and report["version"] == root["version"]["number"]
        assert type(engine._adapter) is ADAPTERS[expected]
    finally:
        server.shutdown()
        server.server_close()


# -- against a real node ---------------------------------------------------------------------


def document(rid: int, title: str, *, kind: str = "public", days_ago: int = 1, **fields) -> dict:
    modified = f"2026-01-{31 - days_ago % 30:02d}T00:00:00+00:00"
    doc = {"id": f"{'p' if kind == 'public' else 'w'}{rid}", "resource_id": rid, "kind": kind,
            "state": "published" if kind == "public" else "draft", "code": f"201/{rid:06d}",
            "codes": [f"201/{rid:06d}", "11330000002482002M"], "department": "11330000002482002M",
            "department_id": 1, "department_name": "浙江省数据管理局", "level": "provincial",
            "classification_path": ["2", "201"], "classification_item": "201", "share_type": "unconditional",
            "open_type": "unconditional", "update_frequency": "monthly", "format_class": "dataset", "themes": [],
            "keywords": [], "license": "", "title": title, "title_en": "", "title_sort": title,
            "description": "", "description_en": "", "modified": modified, **fields}
    return {**doc, **analysed(doc)}            # the token fields, as documents.build_document adds them


def _engine(url: str, kind: str, alias: str) -> ServerEngine:
    return ServerEngine.from_config(config(url, kind, GOVCAT_SEARCH_INDEX=alias))


@pytest.fixture(params=["opensearch", "elasticsearch"])
def server(request):
    """A server engine of each client on the real node, with an alias of its own, dropped afterwards."""
    engine = _engine(require_server(request.param), request.param, f"govcat-server-test-{request.param}-{time.time_ns()}")
    yield engine
    engine.drop()


def _family(engine: ServerEngine) -> dict:
    return engine._client().aliases(f"{engine.alias}*")


def test_end_to_end(server):
    assert server.search(SearchQuery(text="交通")).total == 0          # no index yet: empty, not an error
    assert server.counts() == {"public": 0, "working": 0} and server.document_ids() == set()
    server.write([document(1, "杭州市交通运输统计", themes=["TRAN"], description="全省<交通>数据"),
                  document(2, "城市交通流量", themes=["TRAN"], share_type="conditional"),
                  document(3, "教育经费年报", themes=["EDUC"])], [])
    result = server.search(SearchQuery(text="交通", filters={"share_type": ("unconditional",)}))
    assert [h.resource_id for h in result.hits] == [1] and result.total == 1
    assert result.hits[0].highlight == {"title": "杭州市<mark>交通</mark>运输统计",
                                        "description": "全省&lt;<mark>交通</mark>&gt;数据"}
    assert dict(result.facets["share_type"]) == {"unconditional": 1, "conditional": 1}
    assert dict(result.facets["theme"]) == {"TRAN": 1}
    assert server.suggest("杭州", Visibility(), 5) == [(1, "杭州市交通运输统计")]
    report = server.describe()
    assert report["engine"] == server.name and report["available"] is True
    assert re.fullmatch(rf"{re.escape(server.alias)}-\d{{20}}", report["index"])
    assert report["version"].startswith("2." if server.name == "opensearch" else "8.")


@pytest.mark.parametrize("kind", ["opensearch", "elasticsearch"])
def test_auto_detects_each_real_node(kind):
    engine = _engine(require_server(kind), "auto", f"govcat-server-test-auto-{time.time_ns()}")
    assert engine.counts() == {"public": 0, "working": 0}
    assert engine.name == kind


def test_rebuild_swaps_the_alias_and_leaves_one_live_index(server):
    server.write([document(1, "旧的资源")], [])                           # the first write creates an index
    first = server.describe()["index"]
    assert server.rebuild(iter([[document(2, "新的资源")], [document(3, "另一个资源", kind="working")]])) == 2
    second = server.describe()["index"]
    family = _family(server)
    assert second != first and list(family) == [second]
    assert family[second]["aliases"] == {server.alias: {}}
    assert server.document_ids() == {"p2", "w3"} and server.counts() == {"public": 1, "working": 1}
    server.write([document(4, "重建后写入")], ["p2"])                     # writes go to the new index
    assert server.document_ids() == {"w3", "p4"}


def test_a_failed_rebuild_leaves_the_live_index_alone(server):
    server.write([document(1, "现有资源")], [])
    live = server.describe()["index"]

    def batches():
        yield [document(2, "新资源")]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        server.rebuild(batches())
    assert list(_family(server)) == [live] and server.document_ids() == {"p1"}
    with pytest.raises(SearchUnavailable):                                # a document the server refuses
        server.rebuild(iter([[document(3, "坏的日期", modified="not a date")]]))
    assert list(_family(server)) == [live]


def test_rebuild_replaces_a_plain_index_with_the_alias_name(server):
    client = server._client()
    client.create_index(server.alias, {})                                 # e.g. auto-created by a stray write
    assert server.rebuild(iter([[document(1, "资源")]])) == 1
    family = _family(server)
    assert server.alias not in family and len(family) == 1
    assert server.document_ids() == {"p1"}


def test_paging_past_ten_thousand_hits():
    engine = _engine(require_server("opensearch"), "opensearch", f"govcat-server-test-deep-{time.time_ns()}")
    try:
        count = 10_050
        started = time.monotonic()
        engine.rebuild([document(i, f"资源{i:05d}") for i in range(n, min(n + 1000, count))]
                       for n in range(0, count, 1000))
        loaded = time.monotonic() - started
        assert engine.counts()["public"] == count and len(engine.document_ids()) == count
        expected = list(range(count))                                      # title order is id order
        deep = engine.search(SearchQuery(sort="title", page=101, per_page=100))   # offset 10,000
        assert [h.resource_id for h in deep.hits] == expected[10_000:] and deep.total == count
        assert deep.next_cursor is None
        assert engine.search(SearchQuery(sort="title", page=200, per_page=100)).hits == []
        page = engine.search(SearchQuery(sort="title", page=100, per_page=99))    # offset 9,801
        seen = [h.resource_id for h in page.hits]
        while page.next_cursor:
            assert "a" in decode_cursor(page.next_cursor)
            page = engine.search(SearchQuery(sort="title", per_page=99, cursor=page.next_cursor))
            seen += [h.resource_id for h in page.hits]
        assert seen == expected[9_801:]
        print(f"loaded {count} documents in {loaded:.1f} s; deep pages in {time.monotonic() - started - loaded:.1f} s")
    finally:
        engine.drop()
