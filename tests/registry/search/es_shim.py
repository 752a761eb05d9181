"""TEST SHIM ONLY: lets the ``elasticsearch`` client talk to an OpenSearch node, so that the
server engine's Elasticsearch code path (its client adapter, keyword-argument calls, error
types, response unwrapping, the ``auto`` detection of an Elasticsearch server) runs in the tests.

No Elasticsearch distribution is reachable from the test machines, and the ``elasticsearch``
client refuses any server that does not say it is Elasticsearch.  This loopback HTTP proxy
forwards every request to the OpenSearch node and, on the way:

* rewrites the client's compatibility media types in requests
  (``application/vnd.elasticsearch+json; compatible-with=8`` or ``=9``, and the ``x-ndjson``
  variant of bulk requests) to plain ``application/json`` / ``application/x-ndjson``;
* adds ``X-Elastic-Product: Elasticsearch`` to every response (the client's product check);
* on the root endpoint (``GET /``), reports ``version.number`` as an Elasticsearch 8.x version
  and removes ``version.distribution`` (what ``GOVCAT_SEARCH_ENGINE=auto`` looks at).

What this does NOT test: real Elasticsearch's own behaviour.  Every request is answered by
OpenSearch, so differences between the two servers — analysis (``cjk``, ``porter2``), scoring,
highlighting, ``_aliases`` and bulk semantics, error bodies, security and TLS, deprecations and
removals in Elasticsearch 8/9 — stay untested until the suite runs against a real Elasticsearch.
"""
from __future__ import annotations

import http.client
import json
import re
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator
from urllib.parse import urlsplit

ELASTICSEARCH_VERSION = "8.17.0"
_COMPAT = re.compile(r"application/vnd\.elasticsearch\+(json|x-ndjson)\s*;\s*compatible-with\s*=\s*\d+", re.I)
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
               "content-length", "host"}


def _handler(target: str, version: str) -> type[BaseHTTPRequestHandler]:
    upstream = urlsplit(target)
    secure = upstream.scheme == "https"
    port = upstream.port or (443 if secure else 80)
    prefix = upstream.path.rstrip("/")

    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True    # headers and body go out in two writes: no delayed-ACK stalls

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {name: _COMPAT.sub(r"application/\1", value) for name, value in self.headers.items()
                       if name.lower() not in _HOP_BY_HOP}
            connection_class = http.client.HTTPSConnection if secure else http.client.HTTPConnection
            connection = connection_class(upstream.hostname, port, timeout=60)
            try:
                connection.request(self.command, prefix + self.path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                status, reason, answer_headers = response.status, response.reason, response.getheaders()
            except OSError as error:
                status, reason, answer_headers = 502, "Bad Gateway", [("Content-Type", "application/json")]
                data = json.dumps({"error": {"type": "shim_upstream_error", "reason": str(error)}}).encode()
            finally:
                connection.close()
            if self.command == "GET" and urlsplit(self.path).path in ("", "/") and status == 200:
                data = self._as_elasticsearch(data)
            self.send_response(status, reason)
            for name, value in answer_headers:
                if name.lower() not in _HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        @staticmethod
        def _as_elasticsearch(data: bytes) -> bytes:
            info = json.loads(data)
            info.setdefault("version", {})["number"] = version
            info["version"].pop("distribution", None)
            info["tagline"] = "You Know, for Search"
            return json.dumps(info).encode()

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

        def log_message(self, *args) -> None:  # quiet: pytest shows failures, not traffic
            pass

    return Forward


def start_shim(target_url: str, version: str = ELASTICSEARCH_VERSION) -> tuple[str, Callable[[], None]]:
    """Start the shim on a free loopback port in front of ``target_url``; return its URL and a stop function."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(target_url, version))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="elasticsearch-test-shim", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return f"http://127.0.0.1:{server.server_address[1]}", stop


@contextmanager
def shim(target_url: str, version: str = ELASTICSEARCH_VERSION) -> Iterator[str]:
    """``with shim(url) as shim_url:`` — :func:`start_shim` as a context manager."""
    url, stop = start_shim(target_url, version)
    try:
        yield url
    finally:
        stop()
