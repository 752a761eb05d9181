"""A harvested record that lacks the guide's fields waits to be completed (待补录), is completed by its
department, takes the review path, and later harvests leave what the department completed alone."""
from __future__ import annotations

from sqlalchemy import select

from harvesters.models import HarvestRecord
from harvesters.queue import run_job
from harvesters.services import run_source
from registry.resources.models import Resource
from tests.harvesters.conftest import catalog_page, dataset_doc

SOURCE_OWNED = ("share_type", "share_method", "open_type")


def foreign(n: int, **changes) -> dict:
    """What a foreign portal says of its dataset: no sharing type, method or opening."""
    return {k: v for k, v in dataset_doc(n, **changes).items() if k not in SOURCE_OWNED}


def act(client, person, resource_id, name):
    response = client.post(f"/api/v1/resources/{resource_id}/transitions", json={"transition": name},
                           headers=person.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_an_incomplete_record_is_completed_reviewed_published_and_kept_by_later_harvests(app, client, db, world,
                                                                                         remote, make_source):
    iri = f"{remote.url}/datasets/1"
    make_source("portal", remote.serve("/c.ttl", catalog_page({iri: foreign(1)})))
    report = run_job(app, "portal")        # the job, then its changes into the search index
    assert (report.status, report.counters["created"], report.counters["incomplete"]) == ("succeeded", 1, 1)
    assert report.as_dict()["summary"]["to_complete"][0]["field"] == "share_type"

    # Not public: nobody outside sees it; the department's workspace lists it with what it lacks.
    with db.reader() as session:
        resource_id = session.scalar(select(Resource.id))
    assert client.get(f"/api/v1/resources/{resource_id}").status_code == 404
    assert client.get("/api/v1/resources").get_json()["total"] == 0
    work = client.get("/api/v1/resources?state=incomplete", headers=world.editor_a.headers).get_json()
    (item,) = work["items"]
    assert item["state"] == "incomplete" and item["missing_fields"] == ["share_type", "open_type"]
    assert client.get("/api/v1/resources?state=incomplete", headers=world.editor_b.headers).get_json()["total"] == 0
    assert client.get("/api/v1/resources?state=incomplete", headers=world.admin.headers).get_json()["total"] == 1

    # A submit before it is complete is refused; completing it makes a draft that takes the review path.
    refused = client.post(f"/api/v1/resources/{resource_id}/transitions", json={"transition": "submit"},
                          headers=world.editor_a.headers)
    assert refused.status_code == 409
    working = client.get(f"/api/v1/resources/{resource_id}", headers=world.editor_a.headers).get_json()
    body = {k: v for k, v in working.items() if k not in ("missing_fields",)}
    body.update(share_type="conditional", share_conditions="仅限本省政务部门使用。", share_method="platform_api",
                open_type="none")
    completed = client.put(f"/api/v1/resources/{resource_id}", json=body,
                           headers={**world.editor_a.headers, "If-Match": f'"{working["version"]}"'})
    assert completed.status_code == 200, completed.get_json()
    assert completed.get_json()["state"] == "draft" and "missing_fields" not in completed.get_json()
    act(client, world.editor_a, resource_id, "submit")
    act(client, world.reviewer_a, resource_id, "approve")
    assert act(client, world.admin, resource_id, "approve")["state"] == "published"

    # The source changes its title: the next harvest takes it, and keeps what the department completed.
    remote.serve("/c.ttl", catalog_page({iri: foreign(1, title="部门数据集1（第二版）")}))
    report = run_job(app, "portal")
    assert (report.counters["updated"], report.counters["incomplete"]) == (1, 0), report.errors
    public = client.get(f"/api/v1/resources/{resource_id}").get_json()
    assert public["title"] == "部门数据集1（第二版）" and public["state"] == "published"
    assert (public["share_type"], public["share_method"], public["open_type"]) == \
        ("conditional", "platform_api", "none")
    assert public["share_conditions"] == "仅限本省政务部门使用。"
    with db.reader() as session:
        owned = session.scalar(select(HarvestRecord.owned_fields))
    assert "title" in owned and not set(owned) & {"share_type", "share_conditions", "share_method", "open_type"}


def test_a_record_that_becomes_incomplete_keeps_its_published_version_public(client, db, world, remote,
                                                                             make_source):
    iri = f"{remote.url}/datasets/1"
    make_source("portal", remote.serve("/c.ttl", catalog_page({iri: dataset_doc(1)})))
    assert run_source(db, "portal").counters["created"] == 1
    remote.serve("/c.ttl", catalog_page({iri: {k: v for k, v in dataset_doc(1, title="改名").items()
                                               if k != "update_frequency"}}))
    report = run_source(db, "portal")
    assert (report.counters["updated"], report.counters["incomplete"]) == (1, 1)
    with db.reader() as session:
        resource_id = session.scalar(select(Resource.id))
    public = client.get(f"/api/v1/resources/{resource_id}").get_json()
    assert public["title"] == "部门数据集1" and public["update_frequency"] == "monthly"
    working = client.get(f"/api/v1/resources/{resource_id}?revision=working", headers=world.editor_a.headers)
    assert working.get_json()["state"] == "incomplete" and working.get_json()["missing_fields"] == ["update_frequency"]


def test_a_job_whose_every_record_failed_is_not_a_success(db, world, remote, make_source):
    untitled = {k: v for k, v in dataset_doc(1).items() if k != "title"}
    make_source("portal", remote.serve("/c.ttl", catalog_page({f"{remote.url}/datasets/1": untitled})))
    report = run_source(db, "portal")
    assert report.status == "failed" and "every record listed failed" in report.error
    assert report.as_dict()["summary"]["errors"][0]["reason"] == "no title"


def test_the_resource_page_shows_the_sources_language_publisher_and_what_is_missing(client, db, world, remote,
                                                                                    make_source):
    doc = {**foreign(1, title="Verkehrszählung"), "title_lang": "de", "description_lang": "de",
           "original_publisher": {"name": "Landesamt für Straßenbau", "uri": "https://lsb.example.de/"},
           "other_identifiers": ["vz-2023-17"], "landing_page": "https://daten.example.de/vz"}
    make_source("portal", remote.serve("/c.ttl", catalog_page({f"{remote.url}/datasets/1": doc})))
    run_source(db, "portal")
    with db.reader() as session:
        resource_id = session.scalar(select(Resource.id))
    assert client.get(f"/resources/{resource_id}", headers={"Accept": "text/html"}).status_code == 404
    page = client.get(f"/resources/{resource_id}", headers={"Accept": "text/html", **world.editor_a.headers})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<h1 lang="de">Verkehrszählung</h1>' in html
    assert "<strong>待补录</strong>" in html and "share_type, open_type" in html
    assert "Landesamt für Straßenbau" in html and "vz-2023-17" in html and "https://daten.example.de/vz" in html
