"""Engines for the contract suite: the embedded one always; OpenSearch, and the Elasticsearch client
through a test shim, when a real node is given (``GOVCAT_TEST_OPENSEARCH_URL``, started by scripts/test).

Without the node the server engines' runs are skipped loudly; with ``GOVCAT_REQUIRE_ENGINES=1`` they fail.
"""
from __future__ import annotations

import os
import uuid

import pytest

from registry.search.embedded import EmbeddedEngine
from tests.conftest import require_engine

OPENSEARCH_URL = os.environ.get("GOVCAT_TEST_OPENSEARCH_URL")


def require_opensearch() -> str:
    require_engine(("opensearch", "elasticsearch client"), bool(OPENSEARCH_URL),
                   "OpenSearch engine tests skipped: GOVCAT_TEST_OPENSEARCH_URL is not set (scripts/test sets it)")
    return OPENSEARCH_URL


@pytest.fixture(scope="session")
def elasticsearch_shim_url():
    from tests.registry.search.es_shim import start_shim

    url, stop = start_shim(require_opensearch())
    yield url
    stop()


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
    url = require_opensearch() if request.param == "opensearch" else request.getfixturevalue("elasticsearch_shim_url")
    engine = _server_engine(url, request.param)
    yield engine
    drop = getattr(engine, "drop", None)   # remove this test's indices from the shared node
    if drop:
        drop()
