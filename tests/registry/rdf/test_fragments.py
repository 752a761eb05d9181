"""Catalog pages built from resources kept ready (registry/rdf/fragments.py) say what a fresh mapping says."""
from __future__ import annotations

import pytest
from flask import request
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, FOAF

from registry.db import get_session
from registry.rdf import fragments, services
from registry.rdf.writing import write
from registry.search import get_engine
from registry.search.query import parse_search_args
from tests.registry.rdf.test_working_copies import act, published

FORMATS = {"ttl": "turtle", "nt": "nt", "rdf": "xml"}


@pytest.fixture
def catalog(client, world):
    fragments.cache.clear()
    return [published(client, world, title) for title in ("人口基础信息", "法人单位登记信息", "道路运输许可信息")]


def mapped_anew(app, path: str, fmt: str) -> bytes:
    """The same page through the plain path: every resource mapped from its document."""
    with app.test_request_context(path):
        site = services.settings(request.url_root)
        query = parse_search_args(request.args, page=1, per_page=100)
        graph = services.catalog_page(get_session(), get_engine(), query, site,
                                      lambda n: f"{site['base']}/catalog.{fmt}?page={n}")
        return write(graph.triples, fmt)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_page_from_kept_resources_is_byte_for_byte_the_page_mapped_anew(app, client, catalog, fmt):
    first = client.get(f"/catalog.{fmt}?page=1")         # maps the resources and keeps them
    assert len(fragments.cache) == len(catalog)
    again = client.get(f"/catalog.{fmt}?page=1")         # from the kept resources
    assert first.status_code == again.status_code == 200
    assert again.data == first.data == mapped_anew(app, f"/catalog.{fmt}?page=1", fmt)


def titles(client) -> set[str]:
    graph = Graph().parse(data=client.get("/catalog.ttl").data, format="turtle")
    return {str(t) for t in graph.objects(None, DCTERMS.title) if isinstance(t, Literal) and t.language == "zh"}


def test_a_republished_resource_shows_its_new_version_at_once(client, world, catalog):
    assert "人口基础信息" in titles(client)
    resource = catalog[0]
    edited = client.patch(f"/api/v1/resources/{resource['id']}", json={"title": "人口基础信息（修订）"},
                          headers={**world.editor_a.headers, "If-Match": f'"{resource["version"]}"'})
    assert edited.status_code == 200, edited.get_json()
    assert "人口基础信息" in titles(client)                # the revision is not public yet
    revised = act(client, world.editor_a, edited.get_json(), "submit")
    revised = act(client, world.reviewer_a, revised, "approve")
    act(client, world.admin, revised, "approve")
    found = titles(client)
    assert "人口基础信息（修订）" in found and "人口基础信息" not in found


def test_a_renamed_department_is_the_publisher_named_on_the_next_page(client, world, catalog):
    client.get("/catalog.ttl")
    department = client.get(f"/api/v1/departments/{world.dept_a.credit_code}").get_json()
    renamed = client.patch(f"/api/v1/departments/{world.dept_a.credit_code}",
                           json={"name": "更名后的部门", "version": department["version"]},
                           headers=world.sysadmin.headers)
    assert renamed.status_code == 200, renamed.get_json()
    graph = Graph().parse(data=client.get("/catalog.ttl").data, format="turtle")
    names = {str(n) for n in graph.objects(None, FOAF.name)}
    assert "更名后的部门" in names and world.dept_a.name not in names


@pytest.mark.parametrize("fmt", ["ttl", "jsonld"])
def test_pages_come_from_the_database_while_the_search_engine_is_down(app, client, catalog, fmt):
    from tests.registry.search.test_api import BrokenEngine

    expected = client.get(f"/catalog.{fmt}").data
    app.extensions["govcat.search"] = BrokenEngine(get_engine(app))
    fragments.cache.clear()
    response = client.get(f"/catalog.{fmt}")
    assert response.status_code == 200
    graph = Graph().parse(data=response.data, format={"ttl": "turtle", "jsonld": "json-ld"}[fmt])
    assert {str(t) for t in graph.objects(None, DCTERMS.title) if isinstance(t, Literal) and t.language == "zh"} \
        >= {"人口基础信息", "法人单位登记信息", "道路运输许可信息"}
    if fmt == "ttl":
        assert response.data == expected


def test_with_no_resources_kept_every_page_is_mapped_anew(app, client, catalog, monkeypatch):
    monkeypatch.setattr(fragments.cache, "capacity", 0)
    page = client.get("/catalog.ttl?page=1")
    assert page.status_code == 200 and len(fragments.cache) == 0
    assert page.data == mapped_anew(app, "/catalog.ttl?page=1", "ttl")
