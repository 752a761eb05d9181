"""A live HTTP server for the CKAN API tests: ckanapi talks to the very app the other fixtures built.

The server runs in a thread of this process on 127.0.0.1 and a free port, serving the same ``app``
object (so the same database and search index), on SQLite and on PostgreSQL like every app test.
"""
from __future__ import annotations


import ckanapi
import pytest

import registry.ckan
from registry.resources.services import prepare_registration, register_resources
from registry.search import get_engine
from registry.search.outbox import drain
from tests.conftest import live_server
from tests.factories import ResourceDataFactory


@pytest.fixture
def app(app):
    """The app with the CKAN API mounted, whether or not the app factory mounts it already."""
    if "ckan" not in app.blueprints or "ckan_unversioned" not in app.blueprints:
        registry.ckan.init_app(app)
    return app


@pytest.fixture
def site(app):
    """The base URL of a live server of ``app``."""
    with live_server(app) as origin:
        yield origin


@pytest.fixture
def ckan(site):
    """ckanapi's client, as a harvester would use it (POST with JSON to /api/action/)."""
    with ckanapi.RemoteCKAN(site, user_agent="govcat-tests") as remote:
        yield remote


def publish(client, world, person_prefix: str = "a", **metadata) -> int:
    """Register a resource through the JSON API and take it through both reviews; the index drains."""
    editor, reviewer = world.people[f"editor_{person_prefix}"], world.people[f"reviewer_{person_prefix}"]
    created = client.post("/api/v1/resources", json=ResourceDataFactory(**metadata), headers=editor.headers)
    assert created.status_code == 201, created.get_json()
    rid = created.get_json()["id"]
    for person, name in [(editor, "submit"), (reviewer, "approve"), (world.admin, "approve")]:
        response = client.post(f"/api/v1/resources/{rid}/transitions", json={"transition": name},
                               headers=person.headers)
        assert response.status_code == 200, response.get_json()
    return rid


def publish_many(app, db, department, count: int) -> list[int]:
    """Publish ``count`` resources of ``department`` at once (a trusted bulk load) and index them."""
    with db.transaction() as session:
        registrations = [prepare_registration(session, None, ResourceDataFactory(provider=department.credit_code),
                                              check_permission=False) for _ in range(count)]
        ids = register_resources(session, None, registrations, publish=True)
    drain(db, get_engine(app))
    return ids
