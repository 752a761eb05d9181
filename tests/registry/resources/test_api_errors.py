"""Bad input to the resources API: a clear JSON error with field and reason, never a 500, nothing stored."""
from __future__ import annotations

import pytest

from tests.factories import ResourceDataFactory


def count_all(client, world):
    return client.get("/api/v1/resources?state=draft,submitted,published", headers=world.admin.headers) \
        .get_json()["total"]


def fields_of(response):
    return {e["field"] for e in response.get_json()["error"].get("errors", [])}


@pytest.mark.parametrize("body, content_type, reason", [
    (b"{not json", "application/json", "not valid JSON"),
    (b"[1, 2]", "application/json", "JSON object"),
    (b"", "application/json", "empty"),
    (b"title=x", "application/x-www-form-urlencoded", "application/json"),
])
def test_malformed_bodies_get_400(client, world, body, content_type, reason):
    response = client.post("/api/v1/resources", data=body, content_type=content_type, headers=world.editor_a.headers)
    assert response.status_code == 400
    assert reason in response.get_json()["error"]["message"]
    assert count_all(client, world) == 0


def test_wrong_types_and_unknown_fields_name_each_field_in_both_languages(client, world):
    data = ResourceDataFactory(update_frequency=7, keywords="企业", colour="red")
    response = client.post("/api/v1/resources", json=data, headers=world.editor_a.headers)
    assert response.status_code == 422
    errors = {e["field"]: e for e in response.get_json()["error"]["errors"]}
    assert set(errors) == {"update_frequency", "keywords", "colour"}
    assert errors["colour"]["reason"] == "Unknown field." and errors["colour"]["reason_zh"] == "未知字段。"
    assert count_all(client, world) == 0


def test_nested_errors_have_dotted_paths(client, world):
    data = ResourceDataFactory(distributions=[{"access_url": "https://a.example.gov.cn/"}, {"access_url": "javascript:x"}])
    response = client.post("/api/v1/resources", json=data, headers=world.editor_a.headers)
    assert response.status_code == 422
    assert fields_of(response) == {"distributions.1.access_url"}


def test_conditional_rules(client, world):
    cases = [
        ({"share_type": "conditional"}, "share_conditions"),
        ({"share_type": "none", "share_method": None}, "share_basis"),
        ({"share_method": None}, "share_method"),
        ({"open_type": "conditional"}, "open_conditions"),
        ({"format_class": "database"}, "data_items"),
        ({"format_class": "service_interface", "data_items": []}, "data_items"),
    ]
    for overrides, field in cases:
        response = client.post("/api/v1/resources", json=ResourceDataFactory(**overrides),
                               headers=world.editor_a.headers)
        assert response.status_code == 422, overrides
        assert field in fields_of(response), (overrides, response.get_json())
    for trait in ("conditional_share", "not_shared", "conditional_open", "database"):
        response = client.post("/api/v1/resources", json=ResourceDataFactory(**{trait: True}),
                               headers=world.editor_a.headers)
        assert response.status_code == 201, (trait, response.get_json())


def test_classified_resources_are_refused(client, world):
    response = client.post("/api/v1/resources", json=ResourceDataFactory(classified=True),
                           headers=world.editor_a.headers)
    assert response.status_code == 422 and fields_of(response) == {"classified"}
    assert "涉密" in response.get_json()["error"]["errors"][0]["reason_zh"]
    assert count_all(client, world) == 0


@pytest.mark.parametrize("classification, why", [
    ("109", "not in the tree"), ("1", "below the top level"), ("3", "below the top level"),
])
def test_classification_must_be_a_usable_node(client, world, classification, why):
    response = client.post("/api/v1/resources", json=ResourceDataFactory(classification=classification),
                           headers=world.editor_a.headers)
    assert response.status_code == 422 and fields_of(response) == {"classification"}
    assert why in response.get_json()["error"]["errors"][0]["reason"]


def test_department_branch_belongs_to_its_department(client, world):
    other_branch = ResourceDataFactory(classification=world.dept_b.branch_code)
    response = client.post("/api/v1/resources", json=other_branch, headers=world.editor_a.headers)
    assert response.status_code == 422 and fields_of(response) == {"classification"}
    own = ResourceDataFactory(classification=world.dept_a.branch_code)
    created = client.post("/api/v1/resources", json=own, headers=world.editor_a.headers).get_json()
    assert created["code"] == f"{world.dept_a.branch_code}/000001"


def test_unknown_provider_and_other_department_provider(client, world):
    response = client.post("/api/v1/resources", json=ResourceDataFactory(provider="91350100M000100Y43"),
                           headers=world.editor_a.headers)
    assert response.status_code == 422 and fields_of(response) == {"provider"}
    response = client.post("/api/v1/resources", json=ResourceDataFactory(provider=world.dept_b.credit_code),
                           headers=world.editor_a.headers)
    assert response.status_code == 403


def test_authentication_failures(client, world):
    assert client.post("/api/v1/resources", json=ResourceDataFactory()).status_code == 401
    response = client.post("/api/v1/resources", json=ResourceDataFactory(),
                           headers={"Authorization": "Bearer gct_wrong"})
    assert response.status_code == 401 and "token" in response.get_json()["error"]["message"]
    assert client.get("/api/v1/resources", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    assert client.post("/api/v1/resources", json=ResourceDataFactory(), headers=world.reviewer_a.headers) \
        .status_code == 403


def test_oversize_body_gets_413(client, world, app):
    data = ResourceDataFactory(description="很" * (app.config["GOVCAT_MAX_CONTENT_LENGTH"] // 2))
    response = client.post("/api/v1/resources", json=data, headers=world.editor_a.headers)
    assert response.status_code == 413
    assert response.get_json()["error"]["status"] == 413


def test_missing_resources_and_bad_parameters(client, world):
    assert client.get("/api/v1/resources/999999").status_code == 404
    assert client.get("/api/v1/resources/abc").status_code == 404
    for query, field in [("page=0", "page"), ("per_page=1000", "per_page"), ("page=x", "page"),
                         ("state=nonsense", "state"), ("colour=red", "colour")]:
        response = client.get(f"/api/v1/resources?{query}", headers=world.admin.headers)
        assert response.status_code == 400, query
        assert fields_of(response) == {field}, query
    assert client.get("/api/v1/resources?page=999").get_json()["items"] == []


def test_transition_body_errors(client, world):
    created = client.post("/api/v1/resources", json=ResourceDataFactory(), headers=world.editor_a.headers).get_json()
    url = f"/api/v1/resources/{created['id']}/transitions"
    assert client.post(url, json={}, headers=world.editor_a.headers).status_code == 400
    assert client.post(url, json={"transition": "submit", "extra": 1}, headers=world.editor_a.headers).status_code == 400
    assert client.post(url, json={"transition": "submit", "comment": 5}, headers=world.editor_a.headers).status_code == 400
    response = client.post(url, json={"transition": "submit", "version": 99}, headers=world.editor_a.headers)
    assert response.status_code == 409
    assert client.get(f"/api/v1/resources/{created['id']}", headers=world.editor_a.headers).get_json()["state"] == "draft"


def test_method_not_allowed_is_json(client):
    response = client.delete("/api/v1/resources")
    assert response.status_code == 405 and response.get_json()["error"]["status"] == 405
