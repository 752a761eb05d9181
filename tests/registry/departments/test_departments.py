"""Departments: the tree across levels, credit codes checked, a classification branch each."""
from __future__ import annotations

from vocab.codes import make_credit_code
from tests.factories import DepartmentDataFactory


def create(client, person, **overrides):
    return client.post("/api/v1/departments", json=DepartmentDataFactory(**overrides), headers=person.headers)


def test_tree_gets_classification_branches(client, world):
    province = create(client, world.admin, name="浙江省交通运输厅").get_json()
    city = create(client, world.admin, name="杭州市交通运输局", level="municipal", region_code="330100",
                  parent=province["credit_code"]).get_json()
    county = create(client, world.admin, name="西湖区交通运输局", level="county", region_code="330106",
                    parent=city["credit_code"]).get_json()
    assert province["branch_code"] == "303"            # after the two departments of the world fixture
    assert city["branch_code"] == "303001"
    assert county["branch_code"] == "303001001"
    tree = client.get("/api/v1/vocabularies/classification").get_json()["tree"]
    branch3 = next(node for node in tree if node["code"] == "3")
    node = next(n for n in branch3["children"] if n["code"] == "303")
    assert node["label"]["zh"] == "浙江省交通运输厅"
    assert node["children"][0]["children"][0]["code"] == "303001001"
    children = client.get(f"/api/v1/departments?parent={province['credit_code']}").get_json()["items"]
    assert [d["name"] for d in children] == ["杭州市交通运输局"]


def test_credit_code_errors_say_what_is_wrong(client, world):
    valid = make_credit_code("330000", "987654321")
    cases = {valid[:-1] + ("0" if valid[-1] != "0" else "1"): "check character",
             valid[:5] + "O" + valid[6:]: "without I, O",
             valid[:10]: "18 characters"}
    for code, reason in cases.items():
        response = create(client, world.admin, credit_code=code)
        assert response.status_code == 422
        error = response.get_json()["error"]["errors"][0]
        assert error["field"] == "credit_code" and reason in error["reason"], (code, error)
    assert create(client, world.admin, credit_code=world.dept_a.credit_code).status_code == 409


def test_level_and_parent_rules(client, world):
    response = create(client, world.admin, region_code="33")
    assert response.status_code == 422
    county = create(client, world.admin, level="county", region_code="330106").get_json()
    response = create(client, world.admin, level="provincial", parent=county["credit_code"])
    assert response.status_code == 422 and response.get_json()["error"]["errors"][0]["field"] == "level"
    response = create(client, world.admin, parent=make_credit_code("330000", "000000001"))
    assert response.status_code == 422 and response.get_json()["error"]["errors"][0]["field"] == "parent"


def test_only_the_centre_and_sysadmins_manage_departments(client, world):
    assert create(client, world.editor_a).status_code == 403
    assert create(client, world.reviewer_a).status_code == 403
    assert create(client, world.sysadmin).status_code == 201
    assert client.post("/api/v1/departments", json=DepartmentDataFactory()).status_code == 401


def test_rename_with_version_updates_the_classification_label(client, world):
    url = f"/api/v1/departments/{world.dept_a.credit_code}"
    current = client.get(url).get_json()
    renamed = client.patch(url, json={"name": "新名称", "version": current["version"]}, headers=world.admin.headers)
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "新名称"
    stale = client.patch(url, json={"name": "又一个", "version": current["version"]}, headers=world.admin.headers)
    assert stale.status_code == 409
    tree = client.get("/api/v1/vocabularies/classification").get_json()["tree"]
    assert any(n["label"]["zh"] == "新名称" for n in tree[2]["children"])
    assert client.get("/api/v1/departments/91350100M000100Y43").status_code == 404
