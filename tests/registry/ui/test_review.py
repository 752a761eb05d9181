"""The two review levels as reviewers use them: each sees their queue, the change field by field, and
approves or returns with a comment; the resource goes from a form to the public catalog with no API."""
from __future__ import annotations

from registry.resources.models import Resource
from registry.resources.services import create_resource, transition, update_resource
from tests.conftest import sign_out
from tests.factories import ResourceDataFactory
from tests.registry.ui.test_workspace import FORM, post, signed_in, stored


def decide(client, resource_id: int, action: str, comment: str = ""):
    path = f"/review/resources/{resource_id}"
    version = stored_version(client.application, resource_id)
    return post(client, path, {"comment": comment}, action=action, version=str(version))


def stored_version(app, resource_id: int) -> int:
    from registry.db import get_db
    with get_db(app).reader() as session:
        return session.get(Resource, resource_id).version


def test_from_the_form_through_both_reviews_to_public_search(client, db, world):
    signed_in(client, "editor_a")
    post(client, "/workspace/new", {**FORM, "title": "两级审核的停车泊位信息"}, action="submit")
    resource = stored(db, title="两级审核的停车泊位信息")
    sign_out(client)

    signed_in(client, "reviewer_a")
    queue = client.get("/review").get_data(as_text=True)
    assert "两级审核的停车泊位信息" in queue
    page = client.get(f"/review/resources/{resource.id}").get_data(as_text=True)
    assert 'data-field="title"' in page and 'data-field="data_items"' in page and "泊位编号" in page
    assert decide(client, resource.id, "approve").status_code == 302
    assert stored(db, id=resource.id).state == "department_approved"
    assert "两级审核的停车泊位信息" not in client.get("/review").get_data(as_text=True)
    sign_out(client)

    signed_in(client, "admin")
    assert "两级审核的停车泊位信息" in client.get("/review").get_data(as_text=True)
    assert decide(client, resource.id, "approve").status_code == 302
    assert stored(db, id=resource.id).state == "published"
    sign_out(client)

    found = client.get("/api/v1/resources?q=停车泊位").get_json()
    assert resource.code in [item["code"] for item in found["items"]]
    history = client.get(f"/resources/{resource.id}", headers={"Accept": "text/html"})
    assert history.status_code == 200


def test_returning_needs_a_comment_and_the_editor_reads_it(client, db, world):
    with db.transaction() as session:
        resource = create_resource(session, world.editor_a.user, ResourceDataFactory(title="待退回"))
        transition(session, world.editor_a.user, resource.id, "submit")
        resource_id = resource.id
    signed_in(client, "reviewer_a")
    refused = decide(client, resource_id, "return")
    assert refused.status_code == 422 and "退回时必须填写意见" in refused.get_data(as_text=True)
    assert stored(db, id=resource_id).state == "submitted"
    assert decide(client, resource_id, "return", "联系方式缺失，请补充。").status_code == 302
    assert stored(db, id=resource_id).state == "returned"
    sign_out(client)
    signed_in(client, "editor_a")
    page = client.get(f"/workspace/resources/{resource_id}").get_data(as_text=True)
    assert "联系方式缺失，请补充。" in page and 'data-action="return"' in page


def test_a_revision_shows_only_what_changes_for_the_public(client, db, world):
    with db.transaction() as session:
        resource = create_resource(session, world.editor_a.user, ResourceDataFactory(title="旧名称"))
        for who, step in (("editor_a", "submit"), ("reviewer_a", "approve"), ("admin", "approve")):
            transition(session, world.people[who].user, resource.id, step)
        changed = update_resource(session, world.editor_a.user, resource.id, {**resource.doc, "title": "新名称"},
                                  expected_version=resource.version)
        transition(session, world.editor_a.user, resource.id, "submit", expected_version=changed.version)
        resource_id = resource.id
    signed_in(client, "reviewer_a")
    page = client.get(f"/review/resources/{resource_id}").get_data(as_text=True)
    assert 'data-field="title"' in page and "旧名称" in page and "新名称" in page
    assert 'data-field="description"' not in page


def test_who_sees_which_queue(client, db, world):
    with db.transaction() as session:
        resource = create_resource(session, world.editor_a.user, ResourceDataFactory(title="甲部门的资源"))
        transition(session, world.editor_a.user, resource.id, "submit")
        resource_id = resource.id
    signed_in(client, "editor_a")
    assert client.get("/review", headers={"Accept": "text/html"}).status_code == 403
    sign_out(client)
    signed_in(client, "reviewer_b")
    assert "甲部门的资源" not in client.get("/review").get_data(as_text=True)
    assert client.get(f"/review/resources/{resource_id}", headers={"Accept": "text/html"}).status_code == 403
    refused = decide(client, resource_id, "approve")
    assert refused.status_code == 403 and stored(db, id=resource_id).state == "submitted"
    sign_out(client)
    signed_in(client, "admin")           # the centre approves only what the department approved
    assert "甲部门的资源" not in client.get("/review").get_data(as_text=True)
