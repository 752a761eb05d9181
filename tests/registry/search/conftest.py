"""Engines for the contract suite: the embedded one always; OpenSearch and Elasticsearch when a real node
of each is given (``GOVCAT_TEST_OPENSEARCH_URL``, ``GOVCAT_TEST_ELASTICSEARCH_URL``, both started by
scripts/test). OpenSearch is spoken to with ``opensearch-py``, Elasticsearch with ``elasticsearch``.

Without a node that engine's runs are skipped loudly; with ``GOVCAT_REQUIRE_ENGINES=1`` they fail.
"""
from __future__ import annotations

import os
import uuid

import pytest

from registry.search.embedded import EmbeddedEngine
from tests.conftest import require_engine

SERVER_URLS = {"opensearch": os.environ.get("GOVCAT_TEST_OPENSEARCH_URL"),
               "elasticsearch": os.environ.get("GOVCAT_TEST_ELASTICSEARCH_URL")}
SERVER_NAMES = {"opensearch": "OpenSearch", "elasticsearch": "Elasticsearch"}


def require_server(kind: str) -> str:
    """The URL of the real ``kind`` node (``opensearch`` or ``elasticsearch``); skips or fails without one."""
    variable = f"GOVCAT_TEST_{kind.upper()}_URL"
    require_engine((kind,), bool(SERVER_URLS[kind]),
                   f"{SERVER_NAMES[kind]} engine tests skipped: {variable} is not set (scripts/test sets it)")
    return SERVER_URLS[kind]


def _server_engine(url: str, kind: str):
    from registry.search.server import ServerEngine

    return ServerEngine.from_config({"GOVCAT_SEARCH_URL": url, "GOVCAT_SEARCH_ENGINE": kind,
                                     "GOVCAT_SEARCH_INDEX": f"govcat-test-{uuid.uuid4().hex[:10]}",
                                     "GOVCAT_SEARCH_CA_CERTS": "", "GOVCAT_SEARCH_VERIFY_CERTS": True})


@pytest.fixture(params=["embedded", "opensearch", "elasticsearch"])
def engine(request, tmp_path):
    """An empty engine of each kind; server engines get an alias of their own, removed afterwards."""
    if request.param == "embedded":
        yield EmbeddedEngine(tmp_path / "search")
        return
    engine = _server_engine(require_server(request.param), request.param)
    yield engine
    drop = getattr(engine, "drop", None)   # remove this test's indices from the shared node
    if drop:
        drop()
