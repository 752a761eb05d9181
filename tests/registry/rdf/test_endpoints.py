"""The catalog as DCAT-AP RDF, as an RDF client or a browser meets it."""
from __future__ import annotations

import gzip

import pytest
from rdflib import Graph
from rdflib.namespace import RDF
from sqlalchemy import text

from registry.demo.loader import load_demo
from registry.search import get_engine
from registry.search.outbox import drain
from tests.vocab.conftest import dcat_ap_dir  # noqa: F401 — the shared-standards fixture
from vocab.namespaces import DCAT, HYDRA
from vocab.validation import validate

PARSERS = {"ttl": "turtle", "nt": "nt", "rdf": "xml", "jsonld": "json-ld"}


@pytest.fixture
def demo(app, db):
    load_demo(db)
    drain(db, get_engine(app))


def parse(response, fmt: str) -> Graph:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return Graph().parse(data=response.data, format=PARSERS[fmt])


def datasets(graph: Graph) -> set:
    return set(graph.subjects(RDF.type, DCAT.Dataset))


@pytest.mark.parametrize("fmt", sorted(PARSERS))
def test_catalog_pages_in_every_format_with_hydra_links(client, demo, fmt):
    graph = parse(client.get(f"/catalog.{fmt}?per_page=7&page=2"), fmt)
    assert len(datasets(graph)) == 7
    catalog = next(graph.subjects(RDF.type, DCAT.Catalog))
    assert len(set(graph.objects(catalog, DCAT.dataset))) == 7
    total = int(next(graph.objects(catalog, HYDRA.totalItems)))
    assert total >= 300
    view = next(graph.objects(catalog, HYDRA.view))
    assert str(next(graph.objects(view, HYDRA.next))).endswith("page=3")
    assert str(next(graph.objects(view, HYDRA.previous))).endswith("page=1")
    assert str(next(graph.objects(view, HYDRA.last))).endswith(f"page={-(-total // 7)}")


def test_content_negotiation(client, demo):
    assert client.get("/catalog", headers={"Accept": "text/turtle"}).mimetype == "text/turtle"
    assert client.get("/catalog", headers={"Accept": "application/ld+json"}).mimetype == "application/ld+json"
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert client.get("/resources/20", headers={"Accept": browser}).mimetype == "text/html"
    assert client.get("/resources/20", headers={"Accept": "application/n-triples"}).mimetype == "application/n-triples"
    refused = client.get("/catalog", headers={"Accept": "image/png"})
    assert refused.status_code == 406 and "text/turtle" in refused.get_json()["error"]["message"]
    assert client.get("/catalog.csv").status_code == 406


def test_a_resource_iri_dereferences(client, demo):
    graph = parse(client.get("/resources/20.ttl"), "ttl")
    (subject,) = datasets(graph)
    path = str(subject).split("://", 1)[1].split("/", 1)[1]
    again = parse(client.get("/" + path, headers={"Accept": "text/turtle"}), "ttl")
    assert datasets(again) == {subject}


def test_only_published_resources_are_published(client, demo):
    drafts = client.get("/api/v1/resources?state=draft", headers={}).status_code
    assert drafts == 401
    from registry.db import get_db
    from registry.resources.models import Resource
    from sqlalchemy import select
    with get_db(client.application).reader() as session:
        hidden = session.scalar(select(Resource.id).where(Resource.is_public.is_(False)))
    assert client.get(f"/resources/{hidden}.ttl").status_code == 404


def test_search_filters_and_modified_since_apply(client, demo):
    everything = parse(client.get("/catalog.nt?per_page=1000"), "nt")
    transport = parse(client.get("/catalog.nt?per_page=1000&q=交通"), "nt")
    assert 0 < len(datasets(transport)) < len(datasets(everything))
    future = parse(client.get("/catalog.nt?modified_since=2999-01-01"), "nt")
    assert datasets(future) == set()


@pytest.mark.parametrize("query, field", [("per_page=1001", "per_page"), ("page=0", "page"),
                                          ("modified_since=yesterday", "modified_since"), ("colour=red", "colour")])
def test_bad_parameters_get_400(client, query, field):
    response = client.get(f"/catalog.ttl?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["errors"][0]["field"] == field


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld"])
def test_dumps_hold_every_published_resource_once(client, demo, fmt):
    total = client.get("/api/v1/resources").get_json()["total"]
    plain = client.get(f"/catalog/dump.{fmt}")
    graph = parse(plain, fmt)
    assert len(datasets(graph)) == total
    zipped = client.get(f"/catalog/dump.{fmt}.gz")
    assert zipped.mimetype == "application/gzip"
    assert len(datasets(Graph().parse(data=gzip.decompress(zipped.data), format=PARSERS[fmt]))) == total


def test_vocabulary_and_schemes_are_served(client, demo):
    vocabulary = parse(client.get("/ns", headers={"Accept": "text/turtle"}), "ttl")
    assert any("shareType" in str(s) for s in vocabulary.subjects())
    schemes = parse(client.get("/classification.jsonld"), "jsonld")
    labels = {str(o) for o in schemes.objects()}
    assert "基础信息资源" in labels and "浙江省发展和改革委员会" in labels


def test_published_rdf_conforms_to_dcat_ap(client, demo, dcat_ap_dir):  # noqa: F811
    graph = parse(client.get("/catalog.ttl?per_page=60"), "ttl")
    report = validate(graph, "dcat-ap", standards_dir=dcat_ap_dir)
    assert report.count("Violation") == 0, [f.message for f in report.violations][:5]
    assert validate(graph, "govcat").count("Violation") == 0


def test_a_dcat_client_pulls_the_whole_catalog_by_following_hydra_links(client, demo):
    """What a DCAT-AP harvester does: start at the catalog, follow hydra:next to the end."""
    total = client.get("/api/v1/resources").get_json()["total"]
    url, seen, pages = "/catalog.ttl?per_page=50", set(), 0
    while url:
        graph = parse(client.get(url), "ttl")
        seen |= datasets(graph)
        pages += 1
        view = next(graph.objects(next(graph.subjects(RDF.type, DCAT.Catalog)), HYDRA.view))
        following = next(graph.objects(view, HYDRA.next), None)
        url = str(following).split("://", 1)[1].split("/", 1)[1] if following else None
        url = "/" + url if url else None
    assert len(seen) == total and pages == -(-total // 50)



def test_a_dump_does_not_change_when_the_database_stores_rows_elsewhere(client, demo, db):
    """The same data gives the same bytes, whatever order the database happens to return rows in."""
    before = client.get("/catalog/dump.nt").data
    with db.transaction() as session:  # PostgreSQL writes each updated row anew, at the end of its table
        session.execute(text("UPDATE departments SET name = name WHERE id % 2 = 0"))
        if not db.is_sqlite:
            session.execute(text("ANALYZE departments"))
    assert client.get("/catalog/dump.nt").data == before
