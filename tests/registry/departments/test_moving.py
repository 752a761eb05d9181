"""Moving a department: its classification branch and those below it follow the tree; published codes stay."""
from __future__ import annotations

from tests.factories import DepartmentDataFactory, ResourceDataFactory
from tests.registry.ckan.conftest import publish


def create(client, person, **overrides):
    response = client.post("/api/v1/departments", json=DepartmentDataFactory(**overrides), headers=person.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def move(client, person, code, parent):
    url = f"/api/v1/departments/{code}"
    version = client.get(url).get_json()["version"]
    return client.patch(url, json={"parent": parent, "version": version}, headers=person.headers)


def register(client, world, classification):
    created = client.post("/api/v1/resources", json=ResourceDataFactory(classification=classification),
                          headers=world.editor_a.headers)
    assert created.status_code == 201, created.get_json()
    return created.get_json()


def test_a_moved_department_takes_its_branch_and_resources_with_it(client, world):
    unit = create(client, world.admin, name="大数据中心", level="provincial", region_code="330000",
                  parent=world.dept_a.credit_code)
    assert unit["branch_code"] == world.dept_a.branch_code + "001"
    published_id = publish(client, world, classification=world.dept_a.branch_code)
    published_code = client.get(f"/api/v1/resources/{published_id}").get_json()["code"]
    draft = register(client, world, world.dept_a.branch_code)

    moved = move(client, world.admin, world.dept_a.credit_code, world.dept_b.credit_code)
    assert moved.status_code == 200, moved.get_json()
    new_branch = world.dept_b.branch_code + "001"
    assert moved.get_json()["parent"] == world.dept_b.credit_code
    assert moved.get_json()["branch_code"] == new_branch
    below = client.get(f"/api/v1/departments/{unit['credit_code']}").get_json()
    assert below["branch_code"] == new_branch + "001" and below["version"] == unit["version"] + 1

    # The published resource keeps its code (its identifier) and follows in classification.
    public = client.get(f"/api/v1/resources/{published_id}").get_json()
    assert public["code"] == published_code
    assert public["classification"] == new_branch
    # A draft gets a new code under the new node, as reclassifying a draft does.
    moved_draft = client.get(f"/api/v1/resources/{draft['id']}", headers=world.editor_a.headers).get_json()
    assert moved_draft["code"].startswith(new_branch + "/") and moved_draft["code"] != draft["code"]

    tree = client.get("/api/v1/vocabularies/classification").get_json()["tree"]
    branch3 = {n["code"]: n for n in next(n for n in tree if n["code"] == "3")["children"]}
    assert world.dept_a.branch_code not in branch3
    node = branch3[world.dept_b.branch_code]["children"][0]
    assert node["code"] == new_branch and node["children"][0]["code"] == new_branch + "001"
    # The classification facet finds the resource under its new place.
    found = client.get(f"/api/v1/resources?q=企业登记信息&classification={world.dept_b.branch_code}").get_json()
    assert published_id in [hit["id"] for hit in found["items"]]
    history = client.get(f"/api/v1/resources/{published_id}/history", headers=world.editor_a.headers).get_json()
    assert history["items"][-1]["action"] == "reclassify"


def test_back_to_the_top_and_the_old_code_is_not_handed_out_again(client, world):
    old_branch = world.dept_a.branch_code
    register(client, world, old_branch)
    assert move(client, world.admin, world.dept_a.credit_code, world.dept_b.credit_code).status_code == 200
    newcomer = create(client, world.admin)
    assert newcomer["branch_code"] != old_branch        # the old node's sequence still counts as used
    back = move(client, world.admin, world.dept_a.credit_code, None)
    assert back.status_code == 200 and back.get_json()["parent"] is None
    assert len(back.get_json()["branch_code"]) == 3 and back.get_json()["branch_code"] not in (
        old_branch, newcomer["branch_code"])


def test_moves_that_would_break_the_tree_are_refused_and_change_nothing(client, world):
    unit = create(client, world.admin, level="municipal", region_code="330100", parent=world.dept_a.credit_code)
    county = create(client, world.admin, level="county", region_code="330106")
    before = client.get(f"/api/v1/departments/{world.dept_a.credit_code}").get_json()
    for parent, reason in [(world.dept_a.credit_code, "below itself"), (unit["credit_code"], "below itself"),
                           (county["credit_code"], "above its parent"),
                           ("91350100M000100Y43", "does not exist")]:
        answer = move(client, world.admin, world.dept_a.credit_code, parent)
        assert answer.status_code in (404, 422), (parent, answer.get_json())
        if answer.status_code == 422:
            error = answer.get_json()["error"]["errors"][0]
            assert error["field"] == "parent" and reason in error["reason"], (parent, error)
    assert client.get(f"/api/v1/departments/{world.dept_a.credit_code}").get_json() == before
    assert move(client, world.editor_a, world.dept_a.credit_code, world.dept_b.credit_code).status_code == 403
