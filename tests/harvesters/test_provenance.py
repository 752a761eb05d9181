"""A harvested resource says where it came from: in its RDF (PROV) and in its history."""
from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDF
from sqlalchemy import select

from harvesters.models import HarvestRecord
from harvesters.services import run_source
from registry.search import get_engine
from registry.search.outbox import drain
from tests.harvesters.conftest import catalog_page, dataset_doc
from tests.vocab.conftest import dcat_ap_dir  # noqa: F401 — the shared-standards fixture
from vocab.namespaces import DCAT
from vocab.validation import validate


def _harvest(app, db, remote, make_source) -> tuple[str, int]:
    original = f"{remote.url}/datasets/1"
    make_source("dept-a", remote.serve("/catalog.ttl", catalog_page({original: dataset_doc(1)})) + "?key=s3cret")
    remote.serve("/catalog.ttl?key=s3cret", catalog_page({original: dataset_doc(1)}))
    assert run_source(db, "dept-a").counters["created"] == 1
    drain(db, get_engine(app))
    with db.reader() as session:
        return original, session.scalar(select(HarvestRecord.resource_id))


def test_harvested_rdf_names_its_source_and_the_harvest(app, db, client, world, remote, make_source):
    original, resource_id = _harvest(app, db, remote, make_source)
    response = client.get(f"/resources/{resource_id}.ttl")
    assert response.status_code == 200
    graph = Graph().parse(data=response.data, format="turtle")
    dataset = next(graph.subjects(RDF.type, DCAT.Dataset))
    assert set(graph.objects(dataset, PROV.wasDerivedFrom)) == {URIRef(original)}
    derivation = next(graph.objects(dataset, PROV.qualifiedDerivation))
    assert set(graph.objects(derivation, PROV.entity)) == {URIRef(original)}
    activity = next(graph.objects(derivation, PROV.hadActivity))
    assert set(graph.objects(activity, PROV.used)) == {URIRef(f"{remote.url}/catalog.ttl")}   # no access key
    assert next(graph.objects(activity, PROV.endedAtTime)).toPython().year >= 2026
    assert b"s3cret" not in response.data


def test_a_page_with_harvested_resources_still_conforms(app, db, client, world, remote, make_source,
                                                       dcat_ap_dir):  # noqa: F811
    _harvest(app, db, remote, make_source)
    graph = Graph().parse(data=client.get("/catalog.ttl").data, format="turtle")
    assert any(graph.subject_objects(PROV.wasDerivedFrom))
    assert validate(graph, "dcat-ap", standards_dir=dcat_ap_dir).count("Violation") == 0
    assert validate(graph, "govcat").count("Violation") == 0


def test_history_shows_the_provenance_to_those_who_may_read_it(app, db, client, world, remote, make_source):
    original, resource_id = _harvest(app, db, remote, make_source)
    answer = client.get(f"/api/v1/resources/{resource_id}/history",
                        headers={"Authorization": f"Bearer {world.reviewer_a.token}"}).get_json()
    assert answer["provenance"]["source"] == "dept-a" and answer["provenance"]["original_id"] == original
    assert answer["provenance"]["source_url"] == f"{remote.url}/catalog.ttl"
    assert answer["items"][0]["comment"] == f"harvested from dept-a: {original}"
    assert client.get(f"/api/v1/resources/{resource_id}/history",
                      headers={"Authorization": f"Bearer {world.reviewer_b.token}"}).status_code == 403
