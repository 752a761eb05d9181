"""The harvest API: sources managed by those allowed, jobs and reports paged, nothing secret shown, no 500s."""
from __future__ import annotations

import json
import time
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_schema_validator import OAS30ReadValidator
from sqlalchemy import func, select

from harvesters import services
from harvesters.models import HarvestError, HarvestJob, HarvestRecord, HarvestSource
from registry.api.openapi import build_openapi
from registry.resources.models import Resource
from tests.harvesters.conftest import catalog_page, dataset_doc

SOURCES = "/api/v1/harvest/sources"
SECRET = "X-Api-Key: s3cret-token-value"


@pytest.fixture
def catalog(remote):
    """A department catalog of two datasets on the local test server; its address."""
    return remote.serve("/catalog.ttl", catalog_page({f"{remote.url}/datasets/{n}": dataset_doc(n) for n in (1, 2)}))


@pytest.fixture
def body(world, catalog):
    return {"name": "dept-a", "type": "dcat", "url": catalog, "department": world.dept_a.credit_code,
            "schedule": "6h", "publish": "review", "defaults": {"share_type": "unconditional"},
            "auth_header": SECRET}


@pytest.fixture
def created(client, world, body):
    response = client.post(SOURCES, json=body, headers=world.admin.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


class Contract:
    """Checks an answer against the shape the OpenAPI document gives for it."""

    def __init__(self, app):
        self.document = build_openapi(app)

    def check(self, response, status: int, method: str, path: str) -> dict:
        assert response.status_code == status, response.get_json()
        answer = self.document["paths"]["/api/v1" + path][method]["responses"][str(status)]
        while "$ref" in answer:
            answer = self.document["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
        schema = answer["content"]["application/json"]["schema"]
        OAS30ReadValidator({**schema, "components": self.document["components"]}).validate(response.get_json())
        return response.get_json()


def errors_of(response) -> dict:
    return {e["field"]: e for e in response.get_json()["error"].get("errors", [])}


# -- Sources ---------------------------------------------------------------------------------------

def test_an_administrator_registers_a_source_and_its_header_is_never_shown(app, client, world, created, body):
    assert created == {**created, "name": "dept-a", "type": "dcat", "url": body["url"], "schedule": "6h",
                       "department": world.dept_a.credit_code, "publish": "review", "active": True,
                       "defaults": {"share_type": "unconditional"}, "has_auth_header": True,
                       "auth_header_unreadable": False}
    assert "auth_header" not in created
    for url in (SOURCES, f"{SOURCES}/dept-a"):
        response = client.get(url, headers=world.admin.headers)
        assert response.status_code == 200 and "s3cret" not in response.get_data(as_text=True)
    assert client.get(SOURCES, headers=world.admin.headers).get_json()["items"] == [created]


def test_sources_are_listed_by_department(client, world, created, body):
    assert client.post(SOURCES, json={**body, "name": "dept-b", "department": world.dept_b.credit_code},
                       headers=world.admin.headers).status_code == 201
    listed = client.get(f"{SOURCES}?department={world.dept_b.credit_code}", headers=world.admin.headers).get_json()
    assert [s["name"] for s in listed["items"]] == ["dept-b"] and listed["total"] == 1
    assert [s["name"] for s in client.get(SOURCES, headers=world.admin.headers).get_json()["items"]] == [
        "dept-a", "dept-b"]
    assert client.get(f"{SOURCES}?department=nonsense", headers=world.admin.headers).status_code == 400


def test_answers_match_the_openapi_document(app, client, db, world, created, body):
    contract, admin = Contract(app), world.admin.headers
    contract.check(client.post(SOURCES, json={**body, "name": "dept-a-2"}, headers=admin), 201, "post",
                   "/harvest/sources")
    contract.check(client.get(SOURCES, headers=admin), 200, "get", "/harvest/sources")
    item = "/harvest/sources/{source_name}"
    contract.check(client.get(f"{SOURCES}/dept-a", headers=admin), 200, "get", item)
    contract.check(client.patch(f"{SOURCES}/dept-a", json={"schedule": None}, headers=admin), 200, "patch", item)
    contract.check(client.get(f"{SOURCES}/dept-a/jobs", headers=admin), 200, "get", item + "/jobs")
    job_id = services.run_source(db, "dept-a").job_id
    contract.check(client.get(f"/api/v1/harvest/jobs/{job_id}", headers=admin), 200, "get", "/harvest/jobs/{job_id}")
    contract.check(client.delete(f"{SOURCES}/dept-a-2", headers=admin), 200, "delete", item)
    contract.check(client.post(SOURCES, json={"name": "x"}, headers=admin), 422, "post", "/harvest/sources")
    contract.check(client.get(f"{SOURCES}/nothing", headers=admin), 404, "get", item)
    contract.check(client.get(SOURCES, headers=world.editor_a.headers), 403, "get", "/harvest/sources")


def test_the_system_administrator_manages_sources_too(client, world, body):
    response = client.post(SOURCES, json=body, headers=world.sysadmin.headers)
    assert response.status_code == 201
    assert client.get(f"{SOURCES}/dept-a", headers=world.sysadmin.headers).status_code == 200


@pytest.mark.parametrize("person", ["editor_a", "reviewer_a", "editor_b", "reviewer_b"])
def test_department_staff_read_and_change_nothing_of_sources(client, world, db, created, body, person):
    headers = world.people[person].headers
    with db.transaction() as session:
        job = HarvestJob(source_id=session.scalar(select(HarvestSource.id)), status="succeeded")
        session.add(job)
        session.flush()
        job_id = job.id
    answers = [client.get(SOURCES, headers=headers), client.post(SOURCES, json={**body, "name": "mine"}, headers=headers),
               client.get(f"{SOURCES}/dept-a", headers=headers), client.get(f"{SOURCES}/no-such", headers=headers),
               client.patch(f"{SOURCES}/dept-a", json={"active": False}, headers=headers),
               client.delete(f"{SOURCES}/dept-a", headers=headers), client.get(f"{SOURCES}/dept-a/jobs", headers=headers),
               client.get(f"/api/v1/harvest/jobs/{job_id}", headers=headers),
               client.get("/api/v1/harvest/jobs/999999", headers=headers)]
    assert [a.status_code for a in answers] == [403] * len(answers)     # not even whether a source exists
    with db.reader() as session:
        assert session.scalar(select(func.count()).select_from(HarvestSource)) == 1
        assert session.scalar(select(HarvestSource.active))


def test_the_public_is_asked_to_sign_in(client, created):
    for response in (client.get(SOURCES), client.get(f"{SOURCES}/dept-a"), client.post(SOURCES, json={}),
                     client.get("/api/v1/harvest/jobs/1")):
        assert response.status_code == 401


def test_invalid_sources_are_refused_field_by_field_in_both_languages(client, world, body):
    bad = {**body, "name": "has space", "type": "gopher", "schedule": "every now and then", "publish": "maybe",
           "defaults": {"share_type": "sometimes", "colour": "red", "provider": "x"}, "extra": 1}
    response = client.post(SOURCES, json=bad, headers=world.admin.headers)
    assert response.status_code == 422
    errors = errors_of(response)
    assert set(errors) == {"name", "type", "schedule", "publish", "defaults.share_type", "defaults.colour",
                           "defaults.provider", "extra"}
    assert all(e["reason"] and e["reason_zh"] != e["reason"] for e in errors.values())
    assert "5m" in errors["schedule"]["reason"] or "interval" in errors["schedule"]["reason"]


@pytest.mark.parametrize("change, field", [
    ({"url": "http://169.254.169.254/latest/meta-data/"}, "url"),
    ({"url": "file:///etc/passwd"}, "url"),
    ({"department": "11330000002482061X"}, "department"),   # a department is fixed, like the name and type
])
def test_a_source_is_checked_as_it_is_registered(client, world, body, change, field):
    response = client.post(SOURCES, json={**body, **change}, headers=world.admin.headers)
    assert response.status_code == 422 and field in errors_of(response)


def test_a_name_is_taken_once(client, world, created, body):
    response = client.post(SOURCES, json=body, headers=world.admin.headers)
    assert response.status_code == 422 and "name" in errors_of(response)


def test_the_deny_list_of_the_app_is_honoured(app, client, world, body):
    app.config["GOVCAT_HARVEST_DENY"] = "127.0.0.0/8"
    response = client.post(SOURCES, json=body, headers=world.admin.headers)
    assert response.status_code == 422 and "denied network" in errors_of(response)["url"]["reason"]


def test_a_source_is_changed_and_its_header_removed(client, world, created, remote):
    url = f"{SOURCES}/dept-a"
    response = client.patch(url, json={"schedule": "1d", "publish": "direct", "active": False, "defaults": None,
                                       "url": remote.url + "/other.ttl", "auth_header": None},
                            headers=world.admin.headers)
    assert response.status_code == 200
    assert response.get_json() == {**created, "schedule": "1d", "publish": "direct", "active": False, "defaults": {},
                                   "url": remote.url + "/other.ttl", "has_auth_header": False}
    refused = client.patch(url, json={"name": "renamed", "type": "ckan"}, headers=world.admin.headers)
    assert refused.status_code == 422 and set(errors_of(refused)) == {"name", "type"}
    assert client.patch(url, data="[]", content_type="application/json", headers=world.admin.headers).status_code == 400


def test_deleting_a_source_that_never_ran_deletes_it(client, world, created):
    response = client.delete(f"{SOURCES}/dept-a", headers=world.admin.headers)
    assert response.get_json()["outcome"] == "deleted"
    assert client.get(f"{SOURCES}/dept-a", headers=world.admin.headers).status_code == 404


def test_deleting_a_harvested_source_deactivates_it_and_keeps_what_it_harvested(client, db, world, created):
    report = services.run_source(db, "dept-a")
    assert report.counters["created"] == 2, report.error
    response = client.delete(f"{SOURCES}/dept-a", headers=world.admin.headers)
    answer = response.get_json()
    assert response.status_code == 200 and answer["outcome"] == "deactivated"
    assert "nothing harvested is lost" in answer["message"] and answer["message_zh"]
    source = client.get(f"{SOURCES}/dept-a", headers=world.admin.headers).get_json()
    assert source["active"] is False
    with db.reader() as session:
        assert session.scalar(select(func.count()).select_from(HarvestRecord)) == 2
        assert session.scalar(select(func.count()).select_from(Resource)) == 2
        assert session.scalar(select(func.count()).select_from(HarvestJob)) == 1


# -- Jobs and reports ------------------------------------------------------------------------------

def test_a_sources_jobs_are_paged_newest_first(client, db, world, created):
    ids = [services.run_source(db, "dept-a").job_id for _ in range(3)]
    response = client.get(f"{SOURCES}/dept-a/jobs?per_page=2", headers=world.admin.headers)
    page = response.get_json()
    assert (page["total"], page["page"], page["per_page"], page["pages"]) == (3, 1, 2, 2)
    assert [j["job"] for j in page["items"]] == ids[:0:-1]
    first = page["items"][-1]
    assert first["source"] == "dept-a" and first["status"] == "succeeded" and first["unchanged"] == 2
    last = client.get(f"{SOURCES}/dept-a/jobs?per_page=2&page=2", headers=world.admin.headers).get_json()
    assert [j["job"] for j in last["items"]] == ids[:1]
    assert client.get(f"{SOURCES}/dept-a/jobs?per_page=0", headers=world.admin.headers).status_code == 400
    assert client.get(f"{SOURCES}/dept-a/jobs?colour=red", headers=world.admin.headers).status_code == 400


def test_a_job_report_has_its_counters_and_its_error_rows_paged(client, db, world, created):
    report = services.run_source(db, "dept-a")
    with db.transaction() as session:
        session.add_all(HarvestError(job_id=report.job_id, stage="map", record_id=f"https://x/{n}",
                                     message=f"invalid metadata {n}", snippet="<x/>") for n in range(5))
    answer = client.get(f"/api/v1/harvest/jobs/{report.job_id}?per_page=2&page=3", headers=world.admin.headers)
    job = answer.get_json()
    assert job["job"] == report.job_id and job["source"] == "dept-a" and job["status"] == "succeeded"
    assert job["created"] == 2 and job["error"] is None
    assert (job["errors"]["total"], job["errors"]["pages"]) == (5, 3)
    assert job["errors"]["items"] == [{"stage": "map", "severity": "error", "field": None, "reason": None,
                                       "record_id": "https://x/4", "message": "invalid metadata 4", "snippet": "<x/>"}]
    assert client.get("/api/v1/harvest/jobs/999999", headers=world.admin.headers).status_code == 404


def test_run_now_starts_a_job_in_the_background_and_refuses_a_second(app, client, db, world, created):
    answer = Contract(app).check(client.post(f"{SOURCES}/dept-a/jobs", headers=world.admin.headers),
                                 202, "post", "/harvest/sources/{source_name}/jobs")
    assert answer == {"source": "dept-a", "queued": False, "task": None}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        jobs = client.get(f"{SOURCES}/dept-a/jobs", headers=world.admin.headers).get_json()["items"]
        if jobs and jobs[0]["status"] != "running":
            break
        time.sleep(0.1)
    assert jobs[0]["status"] == "succeeded" and jobs[0]["created"] == 2
    assert client.post(f"{SOURCES}/dept-a/jobs", headers=world.editor_a.headers).status_code == 403
    assert client.post(f"{SOURCES}/nowhere/jobs", headers=world.admin.headers).status_code == 404
    with db.transaction() as session:     # a job that runs elsewhere: no second one
        session.add(HarvestJob(source_id=created_id(db), status="running", **dict.fromkeys(
            ("created", "updated", "unchanged", "withdrawn", "failed", "duplicates"), 0)))
    assert client.post(f"{SOURCES}/dept-a/jobs", headers=world.admin.headers).status_code == 409


def test_run_now_with_a_queue_that_cannot_be_reached_says_so(app, client, world, created):
    app.config["GOVCAT_QUEUE_URL"] = "redis://127.0.0.1:1/0"
    response = client.post(f"{SOURCES}/dept-a/jobs", headers=world.admin.headers)
    assert response.status_code == 503 and response.get_json()["error"]["code"] == "unavailable"


def created_id(db) -> int:
    with db.reader() as session:
        return session.scalar(select(HarvestSource.id).where(HarvestSource.name == "dept-a"))


def test_a_failed_job_says_why(client, db, world, created, remote):
    remote.serve("/catalog.ttl", b"broken ] turtle")
    report = services.run_source(db, "dept-a")
    job = client.get(f"/api/v1/harvest/jobs/{report.job_id}", headers=world.admin.headers).get_json()
    assert job["status"] == "failed" and job["error"] and "s3cret" not in json.dumps(job)


# -- Whatever is typed, never a 500 ----------------------------------------------------------------

nasty_text = st.one_of(st.text(max_size=40), st.sampled_from(
    ["\x00", "a\x00b", "9" * 40, "-1", "1e309", "%00", "../..", "' OR 1=1 --", "\ud7ff", "３３", "dept-a"]))
nasty_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30) | st.floats() | nasty_text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8)
robust = settings(max_examples=60, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@robust
@given(nasty_text, nasty_text)
def test_paths_and_query_strings(client, world, created, segment, value):
    segment, value = quote(segment, safe=""), quote(value, safe="")
    admin = world.admin.headers
    for url in [f"{SOURCES}/{segment}", f"{SOURCES}/{segment}/jobs", f"/api/v1/harvest/jobs/{segment}",
                f"{SOURCES}?department={value}", f"{SOURCES}/dept-a/jobs?page={value}",
                f"{SOURCES}/dept-a/jobs?per_page={value}", f"/api/v1/harvest/jobs/1?page={value}"]:
        response = client.get(url, headers=admin)
        assert response.status_code < 500, (url, response.get_json())
    assert client.delete(f"{SOURCES}/{segment}x", headers=admin).status_code < 500


@robust
@given(st.sampled_from(["name", "type", "url", "department", "schedule", "publish", "defaults", "auth_header"]),
       nasty_values)
def test_source_bodies(client, world, body, field, value):
    response = client.post(SOURCES, data=json.dumps({**body, "name": "fuzzed", field: value}),
                           content_type="application/json", headers=world.admin.headers)
    assert response.status_code in (201, 400, 422), response.get_json()
    if response.status_code == 201:
        client.delete(f"{SOURCES}/{quote(response.get_json()['name'], safe='')}", headers=world.admin.headers)


@robust
@given(st.sampled_from(["url", "schedule", "publish", "defaults", "auth_header", "active", "name"]), nasty_values)
def test_source_changes(client, world, created, field, value):
    response = client.patch(f"{SOURCES}/dept-a", data=json.dumps({field: value}), content_type="application/json",
                            headers=world.admin.headers)
    assert response.status_code in (200, 400, 422), response.get_json()


def test_a_check_before_the_first_run_says_what_records_would_become_and_how_to_fix_the_rest(app, client, db, world,
                                                                                           remote):
    docs = {f"{remote.url}/datasets/1": dataset_doc(1),
            f"{remote.url}/datasets/2": {k: v for k, v in dataset_doc(2).items() if k not in ("share_type",
                                                                                                 "share_method")},
            f"{remote.url}/datasets/3": {k: v for k, v in dataset_doc(3).items() if k != "title"}}
    url = remote.serve("/check.ttl", catalog_page(docs))
    assert client.post(SOURCES, json={"name": "plain", "type": "dcat", "url": url,
                                      "department": world.dept_a.credit_code}, headers=world.admin.headers).status_code == 201
    report = Contract(app).check(client.post(f"{SOURCES}/plain/check", headers=world.admin.headers), 200, "post",
                                 "/harvest/sources/{source_name}/check")
    assert (report["status"], report["created"], report["incomplete"], report["failed"]) == ("dry_run", 2, 1, 1)
    assert {c["original_id"]: c.get("missing") for c in report["changes"]} == {
        f"{remote.url}/datasets/1": None, f"{remote.url}/datasets/2": ["share_type"]}
    (missing,) = report["summary"]["to_complete"]
    assert missing["field"] == "share_type" and missing["count"] == 1 and "--default share_type=" in missing["fix"]
    (error,) = report["summary"]["errors"]
    assert (error["reason"], error["count"]) == ("no title", 1)
    with db.reader() as session:       # a check writes its job row only
        assert session.scalar(select(func.count()).select_from(Resource)) == 0
    assert client.post(f"{SOURCES}/plain/check", headers=world.editor_a.headers).status_code == 403
    assert client.post(f"{SOURCES}/nowhere/check", headers=world.admin.headers).status_code == 404


def test_a_sources_size_cap_is_set_shown_and_bounded(app, client, world, body):
    contract = Contract(app)
    created = contract.check(client.post(SOURCES, json={**body, "max_bytes": 2 * 1024 ** 3},
                                         headers=world.admin.headers), 201, "post", "/harvest/sources")
    assert created["max_bytes"] == 2 * 1024 ** 3
    changed = client.patch(f"{SOURCES}/dept-a", json={"max_bytes": None}, headers=world.admin.headers)
    assert changed.status_code == 200 and changed.get_json()["max_bytes"] is None
    for wrong in (10, 64 * 1024 ** 3, "2G"):
        answer = client.patch(f"{SOURCES}/dept-a", json={"max_bytes": wrong}, headers=world.admin.headers)
        assert answer.status_code == 422, wrong
