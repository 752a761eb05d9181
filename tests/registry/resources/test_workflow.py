"""The registration workflow, as department users and the centre meet it through the API."""
from __future__ import annotations

from tests.factories import ResourceDataFactory


def register(client, person, **overrides):
    response = client.post("/api/v1/resources", json=ResourceDataFactory(**overrides), headers=person.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def act(client, person, resource, name, comment=None, status=200):
    body = {"transition": name}
    if comment is not None:
        body["comment"] = comment
    response = client.post(f"/api/v1/resources/{resource['id']}/transitions", json=body, headers=person.headers)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_registration_gets_a_code_and_starts_as_a_hidden_draft(client, world):
    resource = register(client, world.editor_a)
    assert resource["state"] == "draft"
    assert resource["code"] == "102/000001"
    assert resource["provider"] == world.dept_a.credit_code
    assert client.get(f"/api/v1/resources/{resource['id']}").status_code == 404
    assert client.get("/api/v1/resources").get_json()["total"] == 0


def test_two_level_review_publishes(client, world):
    resource = register(client, world.editor_a)
    assert act(client, world.editor_a, resource, "submit")["state"] == "submitted"
    assert act(client, world.reviewer_a, resource, "approve")["state"] == "department_approved"
    published = act(client, world.admin, resource, "approve")
    assert published["state"] == "published"
    public = client.get(f"/api/v1/resources/{resource['id']}").get_json()
    assert public["revision"] == "published" and public["issued"]
    assert client.get("/api/v1/resources").get_json()["total"] == 1


def test_reviewer_of_another_department_is_refused(client, world):
    resource = register(client, world.editor_a)
    act(client, world.editor_a, resource, "submit")
    error = act(client, world.reviewer_b, resource, "approve", status=403)
    assert error["error"]["code"] == "forbidden"
    assert client.get(f"/api/v1/resources/{resource['id']}", headers=world.editor_a.headers) \
        .get_json()["state"] == "submitted"


def test_department_reviewer_cannot_publish_and_centre_cannot_skip_first_level(client, world):
    resource = register(client, world.editor_a)
    act(client, world.editor_a, resource, "submit")
    act(client, world.admin, resource, "approve", status=403)
    act(client, world.reviewer_a, resource, "approve")
    act(client, world.reviewer_a, resource, "approve", status=403)


def test_return_needs_a_comment_and_goes_back_to_the_editor(client, world):
    resource = register(client, world.editor_a)
    act(client, world.editor_a, resource, "submit")
    error = act(client, world.reviewer_a, resource, "return", status=422)
    assert error["error"]["errors"][0]["field"] == "comment"
    returned = act(client, world.reviewer_a, resource, "return", comment="请补充信息项")
    assert returned["state"] == "returned"
    assert act(client, world.editor_a, resource, "submit")["state"] == "submitted"


def test_illegal_transition_is_a_conflict(client, world):
    resource = register(client, world.editor_a)
    error = act(client, world.reviewer_a, resource, "approve", status=409)
    assert error["error"]["errors"][0]["field"] == "transition"
    act(client, world.editor_a, resource, "publish", status=422)


def _publish(client, world, **overrides):
    resource = register(client, world.editor_a, **overrides)
    act(client, world.editor_a, resource, "submit")
    act(client, world.reviewer_a, resource, "approve")
    return act(client, world.admin, resource, "approve")


def test_editing_a_published_resource_keeps_the_published_version_public(client, world):
    published = _publish(client, world, title="原标题")
    response = client.patch(f"/api/v1/resources/{published['id']}", json={"title": "新标题"},
                            headers={**world.editor_a.headers, "If-Match": f'"{published["version"]}"'})
    assert response.status_code == 200, response.get_json()
    revision = response.get_json()
    assert revision["state"] == "draft" and revision["title"] == "新标题"
    public = client.get(f"/api/v1/resources/{published['id']}").get_json()
    assert public["title"] == "原标题" and public["has_pending_revision"] is True
    act(client, world.editor_a, revision, "submit")
    act(client, world.reviewer_a, revision, "approve")
    act(client, world.admin, revision, "approve")
    assert client.get(f"/api/v1/resources/{published['id']}").get_json()["title"] == "新标题"


def test_withdrawn_resource_leaves_the_public_catalog_but_stays_readable_to_its_department(client, world):
    published = _publish(client, world)
    act(client, world.admin, published, "withdraw", comment="数据已停止更新")
    assert client.get(f"/api/v1/resources/{published['id']}").status_code == 404
    mine = client.get(f"/api/v1/resources/{published['id']}", headers=world.editor_a.headers).get_json()
    assert mine["state"] == "withdrawn"
    act(client, world.editor_a, published, "submit", status=409)


def test_stale_update_is_refused_and_changes_nothing(client, world):
    resource = register(client, world.editor_a, title="第一版")
    url = f"/api/v1/resources/{resource['id']}"
    first = client.patch(url, json={"title": "第二版", "version": resource["version"]}, headers=world.editor_a.headers)
    assert first.status_code == 200
    stale = client.patch(url, json={"title": "第三版", "version": resource["version"]}, headers=world.editor_a.headers)
    assert stale.status_code == 409
    assert stale.get_json()["error"]["errors"][0]["field"] == "version"
    assert client.get(url, headers=world.editor_a.headers).get_json()["title"] == "第二版"


def test_update_without_a_version_is_refused(client, world):
    resource = register(client, world.editor_a)
    response = client.patch(f"/api/v1/resources/{resource['id']}", json={"title": "x"}, headers=world.editor_a.headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["errors"][0]["field"] == "version"


def test_put_replaces_the_metadata_and_accepts_the_representation_back(client, world):
    resource = register(client, world.editor_a, keywords=["企业"])
    body = {k: val for k, val in resource.items() if k != "keywords"}
    body["title"] = "替换后的标题"
    response = client.put(f"/api/v1/resources/{resource['id']}", json=body, headers=world.editor_a.headers)
    assert response.status_code == 200, response.get_json()
    assert "keywords" not in response.get_json() and response.get_json()["title"] == "替换后的标题"


def test_history_records_every_step_with_who_and_what_changed(client, world):
    published = _publish(client, world, title="旧")
    client.patch(f"/api/v1/resources/{published['id']}", json={"title": "新", "version": published["version"]},
                 headers=world.editor_a.headers)
    history = client.get(f"/api/v1/resources/{published['id']}/history", headers=world.editor_a.headers).get_json()
    steps = [(e["action"], e["actor"], e["from_state"], e["to_state"]) for e in history["items"]]
    assert steps == [
        ("create", "editor_a", None, "draft"),
        ("submit", "editor_a", "draft", "submitted"),
        ("approve", "reviewer_a", "submitted", "department_approved"),
        ("approve", "admin", "department_approved", "published"),
        ("update", "editor_a", "published", "draft"),
    ]
    assert history["items"][-1]["changes"] == [{"field": "title", "old": "旧", "new": "新"}]
    assert client.get(f"/api/v1/resources/{published['id']}/history").status_code == 401
    assert client.get(f"/api/v1/resources/{published['id']}/history",
                      headers=world.editor_b.headers).status_code == 403


def test_workspace_lists_own_department_only(client, world):
    register(client, world.editor_a)
    register(client, world.editor_b)
    mine = client.get("/api/v1/resources?state=draft", headers=world.editor_a.headers).get_json()
    assert mine["total"] == 1 and mine["items"][0]["provider"] == world.dept_a.credit_code
    everything = client.get("/api/v1/resources?state=draft", headers=world.admin.headers).get_json()
    assert everything["total"] == 2
    assert client.get("/api/v1/resources?state=draft").status_code == 401


def test_reclassifying_a_draft_gives_it_a_new_code_but_a_published_code_stays(client, world):
    draft = register(client, world.editor_a, classification="201")
    moved = client.patch(f"/api/v1/resources/{draft['id']}", json={"classification": "205", "version": 1},
                         headers=world.editor_a.headers)
    assert moved.status_code == 200 and moved.get_json()["code"] == "205/000001"
    published = _publish(client, world, classification="201")
    response = client.patch(f"/api/v1/resources/{published['id']}",
                            json={"classification": "205", "version": published["version"]},
                            headers=world.editor_a.headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["errors"][0]["field"] == "classification"
