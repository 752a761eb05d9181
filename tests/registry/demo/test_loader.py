"""The demo catalog as a newcomer meets it on the API after the run command."""
from __future__ import annotations

import pytest

from vocab import enumerations as v
from registry.demo.loader import DEMO_PASSWORD, load_demo
from registry.search import get_engine
from registry.search.outbox import drain
from tests.conftest import sign_in


@pytest.fixture
def demo(app, db):
    summary = load_demo(db)
    assert summary["loaded"]
    drain(db, get_engine(app))
    return summary


def test_public_catalog_is_alive(client, demo):
    listing = client.get("/api/v1/resources?per_page=100").get_json()
    assert listing["total"] >= 300
    departments = client.get("/api/v1/departments").get_json()["items"]
    assert len(departments) >= 30 and {d["level"] for d in departments} == {"provincial", "municipal", "county"}
    for branch in ["1", "2", "3"]:
        assert client.get(f"/api/v1/resources?classification={branch}").get_json()["total"] > 0
    for item in [node for node in v.FIXED_CLASSIFICATION if len(node.code) == 3]:
        assert client.get(f"/api/v1/resources?classification={item.code}").get_json()["total"] > 0, item.code


def test_demo_users_find_work_in_every_review_state(client, demo):
    signed_in = sign_in(client, "editor", DEMO_PASSWORD)
    assert signed_in.status_code == 302
    states = {"draft", "submitted", "department_approved", "returned", "published"}
    workspace = client.get(f"/api/v1/resources?state={','.join(states)}&per_page=100").get_json()["items"]
    assert {r["state"] for r in workspace} == states
    returned = next(r for r in workspace if r["state"] == "returned")
    history = client.get(f"/api/v1/resources/{returned['id']}/history").get_json()["items"]
    assert [e["actor"] for e in history] == ["editor", "editor", "reviewer"]


def test_loading_twice_changes_nothing(db, demo, client):
    total = client.get("/api/v1/resources").get_json()["total"]
    assert load_demo(db)["loaded"] is False
    assert client.get("/api/v1/resources").get_json()["total"] == total
