"""Staff read the working copies they may see in every RDF format; the public sees published resources only."""
from __future__ import annotations

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDF

from registry.resources.models import Resource
from tests.conftest import sign_in, sign_out
from tests.factories import ResourceDataFactory
from vocab.namespaces import DCAT

PARSERS = {"ttl": "turtle", "nt": "nt", "rdf": "xml", "jsonld": "json-ld"}
MEDIA_TYPES = {"ttl": "text/turtle", "nt": "application/n-triples", "rdf": "application/rdf+xml",
               "jsonld": "application/ld+json"}


def register(client, person, title: str) -> dict:
    response = client.post("/api/v1/resources", json=ResourceDataFactory(title=title), headers=person.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def act(client, person, resource: dict, name: str) -> dict:
    response = client.post(f"/api/v1/resources/{resource['id']}/transitions", json={"transition": name},
                           headers=person.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def published(client, world, title: str) -> dict:
    resource = register(client, world.editor_a, title)
    act(client, world.editor_a, resource, "submit")
    act(client, world.reviewer_a, resource, "approve")
    return act(client, world.admin, resource, "approve")


def titles(response, fmt: str) -> set[str]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    graph = Graph().parse(data=response.data, format=PARSERS[fmt])
    (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
    return {str(t) for t in graph.objects(dataset, DCTERMS.title) if isinstance(t, Literal) and t.language == "zh"}


def ways(resource: dict, fmt: str, query: str = "") -> list[tuple[str, dict]]:
    """Every way to ask for one resource in ``fmt``: extension, content negotiation, its IRI."""
    accept = {"Accept": MEDIA_TYPES[fmt]}
    return [(f"/resources/{resource['id']}.{fmt}{query}", {}), (f"/resources/{resource['id']}{query}", accept),
            (f"/resources/{resource['code']}{query}", accept)]


@pytest.fixture
def draft(client, world) -> dict:
    return register(client, world.editor_a, "尚未发布的草稿")


@pytest.mark.parametrize("fmt", sorted(PARSERS))
def test_a_draft_is_hidden_from_the_public_and_other_departments(client, world, draft, fmt):
    for url, headers in ways(draft, fmt):
        assert client.get(url, headers=headers).status_code == 404, url
        for person in (world.editor_b, world.reviewer_b):
            assert client.get(url, headers={**headers, **person.headers}).status_code == 404, (url, person)


@pytest.mark.parametrize("fmt", sorted(PARSERS))
def test_staff_who_may_read_it_get_the_drafts_working_copy(client, world, draft, fmt):
    for url, headers in ways(draft, fmt):
        for person in (world.editor_a, world.reviewer_a, world.admin, world.sysadmin):
            response = client.get(url, headers={**headers, **person.headers})
            assert titles(response, fmt) == {"尚未发布的草稿"}, (url, person)
            assert response.mimetype == MEDIA_TYPES[fmt]
            assert "no-store" in response.headers["Cache-Control"]
            assert "Access-Control-Allow-Origin" not in response.headers


def test_a_signed_in_session_reads_the_working_copy_too(client, world, draft):
    assert client.get(f"/resources/{draft['id']}.ttl").status_code == 404
    signed_in = sign_in(client, "editor_a", "correct horse battery")
    assert signed_in.status_code == 302
    assert titles(client.get(f"/resources/{draft['id']}.ttl"), "ttl") == {"尚未发布的草稿"}
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = client.get(f"/resources/{draft['id']}", headers={"Accept": browser})
    assert page.status_code == 200 and "尚未发布的草稿" in page.get_data(as_text=True)
    sign_out(client)
    assert client.get(f"/resources/{draft['id']}.ttl").status_code == 404


@pytest.mark.parametrize("fmt", sorted(PARSERS))
def test_a_pending_revision_is_shown_only_when_asked_for_by_those_allowed(client, world, fmt):
    resource = published(client, world, "已发布的标题")
    body = {**ResourceDataFactory(title="待审核的新标题"), "version": resource["version"]}
    revised = client.put(f"/api/v1/resources/{resource['id']}", json=body, headers=world.editor_a.headers)
    assert revised.status_code == 200, revised.get_json()
    for url, headers in ways(resource, fmt):
        assert titles(client.get(url, headers=headers), fmt) == {"已发布的标题"}
        assert titles(client.get(url, headers={**headers, **world.editor_a.headers}), fmt) == {"已发布的标题"}
    for url, headers in ways(resource, fmt, "?revision=working"):
        for person in (world.editor_a, world.reviewer_a, world.admin):
            response = client.get(url, headers={**headers, **person.headers})
            assert titles(response, fmt) == {"待审核的新标题"}, (url, person)
            assert "no-store" in response.headers["Cache-Control"]
        # As the JSON API answers the same question: sign in first, then only your department's.
        assert client.get(url, headers=headers).status_code == 401
        assert client.get(url, headers={**headers, **world.editor_b.headers}).status_code == 403
    assert client.get(f"/resources/{resource['id']}.{fmt}?revision=latest").status_code == 400


def test_published_answers_stay_public(client, world):
    resource = published(client, world, "公开资源")
    response = client.get(f"/resources/{resource['id']}.ttl", headers=world.editor_b.headers)
    assert titles(response, "ttl") == {"公开资源"}
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in response.headers["Vary"] and "no-store" not in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("fmt", sorted(PARSERS))
def test_a_harvested_record_to_be_completed_is_read_by_its_department(client, db, world, fmt):
    """A record that lacks the guide's fields (待补录) waits in its department's worklist, visible to it."""
    draft = register(client, world.editor_a, "Einwohner nach Stadtteilen")
    with db.transaction() as session:
        resource = session.get(Resource, draft["id"])
        lacking = {k: value for k, value in resource.doc.items()
                   if k not in ("share_type", "share_method", "open_type", "update_frequency", "format_class")}
        resource.doc, resource.state = {**lacking, "title_lang": "de"}, "incomplete"
    for url, headers in ways(draft, fmt):
        assert client.get(url, headers=headers).status_code == 404
        assert client.get(url, headers={**headers, **world.editor_b.headers}).status_code == 404
        response = client.get(url, headers={**headers, **world.reviewer_a.headers})
        assert response.status_code == 200 and b"Einwohner nach Stadtteilen" in response.data, url
