"""A remote department catalog served from 127.0.0.1, and helpers to write its pages."""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rdflib import URIRef
from sqlalchemy import select

from harvesters import services
from harvesters.models import HarvestError, HarvestRecord
from registry.resources.models import Resource
from registry.resources.schemas import missing_fields, normalize_metadata
from tests.factories import ResourceDataFactory
from vocab.mapping import resource_to_rdf
from vocab.namespaces import HYDRA, new_graph

CATALOG_BASE = "https://dept.example.gov.cn"


@dataclass
class Route:
    body: bytes | None = b""
    content_type: str = "text/turtle"
    status: int = 200
    delay: float = 0.0
    headers: dict = field(default_factory=dict)
    stream_bytes: int = 0        # send this many bytes without a Content-Length instead of body
    then: "Route | None" = None  # what the path answers after this answer, once


@dataclass
class Remote:
    """The test server: put routes in, read the requests it got."""

    url: str
    routes: dict
    requests: list

    def serve(self, path: str, body: bytes = b"", **options) -> str:
        self.routes[path] = Route(body, **options)
        return self.url + path


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        self.server.requests.append((self.path, dict(self.headers)))
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        if route.then is not None:
            self.server.routes[self.path] = route.then
        if route.delay:
            time.sleep(route.delay)
        try:
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if route.stream_bytes:
                self.end_headers()
                chunk = b"#" * 65536
                for _ in range(route.stream_bytes // len(chunk)):
                    self.wfile.write(chunk)
                return
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def remote():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.routes, server.requests = {}, []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield Remote(f"http://127.0.0.1:{server.server_address[1]}", server.routes, server.requests)
    server.shutdown()
    server.server_close()


def dataset_doc(n: int, **changes) -> dict:
    """A valid metadata document, as a department system would describe its dataset ``n`` (with the
    release date it gives: a source published directly must give one, the catalog makes none up)."""
    return normalize_metadata({**ResourceDataFactory(title=f"部门数据集{n}", issued="2024-01-15"), **changes})


def catalog_page(datasets: dict, *, page_url: str | None = None, next_url: str | None = None,
                 next_predicate=HYDRA.next, fmt: str = "turtle") -> bytes:
    """One page of a DCAT catalog: ``datasets`` maps dataset IRIs to documents."""
    graph = new_graph()
    for iri, doc in datasets.items():
        resource_to_rdf(doc, base=CATALOG_BASE, subject=URIRef(iri), graph=graph)
    if next_url:
        graph.add((URIRef(page_url), next_predicate, URIRef(next_url)))
    return graph.serialize(format=fmt).encode("utf-8")


@pytest.fixture
def make_source(db, world):
    """Register a source (DCAT unless ``type`` says otherwise) of department A; return its id."""
    def make(name: str, url: str, **options):
        options.setdefault("department", world.dept_a.credit_code)
        options.setdefault("type", "dcat")
        with db.transaction() as session:
            return services.add_source(session, name=name, url=url, **options).id
    return make


def harvested_resources(db) -> dict:
    """original identifier → (state, is_public, version, doc) of every harvested resource."""
    with db.reader() as session:
        rows = session.execute(select(HarvestRecord.original_id, Resource.state, Resource.is_public,
                                      Resource.version, Resource.doc).join(
            Resource, Resource.id == HarvestRecord.resource_id))
        return {r.original_id: (r.state, r.is_public, r.version, r.doc) for r in rows}


def harvested_documents(db) -> dict:
    """original identifier → (state, doc) of every harvested resource."""
    return {original_id: (state, doc) for original_id, (state, _public, _version, doc) in harvested_resources(db).items()}


# -- what every source that knows nothing of the compilation guide must come to ----------------------

GUIDE_ONLY = ("share_type", "share_method", "share_conditions", "share_basis", "data_items")


def dates_said(text: str) -> set[str]:
    """Every full date the source's text states, in ISO form (YYYY-MM-DD, D.M.YYYY, DD-MM-YYYY, YYYY/M/D,
    and the US M/D/YYYY)."""
    found = set(re.findall(r"\d{4}-\d{2}-\d{2}", text))
    found |= {f"{y}-{int(m):02d}-{int(d):02d}" for d, m, y in re.findall(r"\b(\d{1,2})[.-](\d{1,2})[.-](\d{4})\b", text)}
    found |= {f"{y}-{int(m):02d}-{int(d):02d}" for y, m, d in re.findall(r"\b(\d{4})/(\d{1,2})/(\d{1,2})\b", text)}
    found |= {f"{y}-{int(m):02d}-{int(d):02d}" for m, d, y in re.findall(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b", text)}
    return found


def check_foreign_harvest(db, report, world, source_text: str, *, chinese: set[str] = frozenset()) -> dict:
    """The promises of a foreign source added with only its department; returns the harvested resources.

    Every record with a title arrives (none failed) — published when complete, to be completed and not
    public otherwise; no release date the source's text does not state and no sharing terms at all;
    the source's language kept (none of the corpus writes Chinese but the records named ``chinese``);
    every dropped value a warning row.
    """
    assert report.status == "succeeded", report.error
    assert report.counters["failed"] == 0, report.errors
    harvested = harvested_resources(db)
    assert report.counters["created"] == len(harvested) > 0
    assert report.counters["incomplete"] == sum(1 for state, *_rest in harvested.values() if state == "incomplete")
    said = dates_said(source_text)
    for original, (state, public, _version, doc) in harvested.items():
        lacking = missing_fields(doc) + ([] if doc.get("issued") else ["issued"])
        assert (state, public) == (("incomplete", False) if lacking else ("published", True)), (original, lacking)
        assert doc.get("issued") is None or doc["issued"] in said, (original, doc.get("issued"))
        assert not set(GUIDE_ONLY) & set(doc), original
        assert (doc.get("title_lang", "zh") == "zh") == (original in chinese), original
        assert doc["provider"] == world.dept_a.credit_code
    with db.reader() as session:
        warnings = session.scalars(select(HarvestError).where(HarvestError.job_id == report.job_id,
                                                              HarvestError.severity == "warning")).all()
    assert len(warnings) == report.counters["warnings"] and all(w.field and w.reason for w in warnings)
    summary = report.as_dict()["summary"]
    assert sum(group["count"] for group in summary["warnings"]) == report.counters["warnings"]
    assert {group["field"] for group in summary["to_complete"]} >= {"share_type"}
    return harvested
