"""A CKAN portal harvested end to end from a local server: govcat's own packages and a plain portal's."""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from harvesters.ckan import CkanHarvester, page_url
from harvesters.models import HarvestError
from harvesters.services import run_source
from registry.audit.models import AuditEvent
from registry.ckan.mapping import package_dict
from registry.resources.schemas import normalize_metadata
from tests.factories import ResourceDataFactory
from tests.harvesters.conftest import dataset_doc, harvested_documents

FIXTURES = Path(__file__).parent / "fixtures" / "ckan"
PUBLISHER = SimpleNamespace(credit_code="11330000002482061X", name="省数据局", name_en=None, level="province",
                            region_code="330000", active=True, created_at=None)


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    monkeypatch.setattr(CkanHarvester, "page_size", 2)


@pytest.fixture
def make_ckan(make_source, remote):
    return lambda name="portal", **options: make_source(name, remote.url, type="ckan", **options)


def govcat_doc(n: int, **traits) -> dict:
    return normalize_metadata(ResourceDataFactory(title=f"部门数据集{n}", **traits))


def package(n: int, doc: dict | None = None) -> dict:
    """A package as another govcat publishes its resource ``n`` (``doc``) on its CKAN API."""
    rep = {**(doc or dataset_doc(n)), "id": n, "code": f"102/{900000 + n}",
           "created": "2024-01-01T00:00:00", "modified": "2024-02-01T00:00:00"}
    return package_dict(rep, PUBLISHER, {}, f"https://other.example.gov.cn/resources/{n}")


def serve_listing(remote, packages: list, *, count: int | None = None) -> None:
    """package_search pages of two packages each, as the harvester asks for them."""
    count = len(packages) if count is None else count
    for start in range(0, max(len(packages), 1), 2):
        serve_page(remote, start, packages[start:start + 2], count)


def serve_page(remote, start: int, packages: list, count: int, **options) -> None:
    body = json.dumps({"success": True, "result": {"count": count, "results": packages}}).encode()
    remote.serve(page_url(remote.url, 2, start)[len(remote.url):], body, content_type="application/json", **options)


def original(remote, n) -> str:
    return f"{remote.url}/dataset/{n}"


def test_two_page_listing_creates_the_records_losslessly(db, world, remote, make_ckan):
    docs = {n: govcat_doc(n, conditional_share=True, issued="2024-03-01", spatial="330100",
                           temporal={"start": "2020-01-01", "end": "2023-12-31"},
                           contact_point={"name": "数据科", "email": "data@example.gov.cn", "phone": "0571-1234567"},
                           language=["zh"], title_en=f"Dataset {n}") for n in range(3)}
    docs[2] = govcat_doc(2, database=True, issued="2024-04-01")
    serve_listing(remote, [package(n, docs[n]) for n in range(3)])
    make_ckan()
    report = run_source(db, "portal")
    assert report.status == "succeeded", report.error
    assert report.counters["created"] == 3 and report.counters["failed"] == 0, report.errors
    assert [path.split("start=")[1][:1] for path, _h in remote.requests] == ["0", "2"]
    harvested = harvested_documents(db)
    for n, doc in docs.items():
        state, stored = harvested[original(remote, n)]
        assert state == "published"
        assert {k: stored.get(k) for k in doc} == doc and stored["provider"] == world.dept_a.credit_code


def test_second_run_writes_nothing(db, world, remote, make_ckan):
    serve_listing(remote, [package(n) for n in range(3)])
    make_ckan()
    run_source(db, "portal")
    before = (harvested_documents(db), len(_events(db)))
    report = run_source(db, "portal")
    assert report.status == "succeeded"
    assert (report.counters["unchanged"], report.counters["created"], report.counters["updated"]) == (3, 0, 0)
    assert (harvested_documents(db), len(_events(db))) == before


def _events(db) -> list:
    with db.reader() as session:
        return session.scalars(select(AuditEvent.id)).all()


def test_vanished_package_is_withdrawn_after_a_complete_listing(db, world, remote, make_ckan):
    packages = [package(n) for n in range(3)]
    serve_listing(remote, packages)
    make_ckan()
    run_source(db, "portal")
    serve_listing(remote, [packages[0], packages[2]])
    report = run_source(db, "portal")
    assert report.status == "succeeded", report.error
    assert (report.counters["unchanged"], report.counters["withdrawn"]) == (2, 1)
    states = {k: state for k, (state, _d) in harvested_documents(db).items()}
    assert states == {original(remote, 0): "published", original(remote, 1): "withdrawn",
                      original(remote, 2): "published"}


@pytest.mark.parametrize("broken", ["http500", "malformed"])
def test_page_two_broken_fails_the_job_and_withdraws_nothing(db, world, remote, make_ckan, broken):
    serve_listing(remote, [package(n) for n in range(4)])
    make_ckan()
    run_source(db, "portal")
    serve_page(remote, 0, [package(0), package(1)], 4)
    if broken == "http500":
        remote.serve(page_url(remote.url, 2, 2)[len(remote.url):], b"oops", status=500, content_type="text/plain")
    else:
        remote.serve(page_url(remote.url, 2, 2)[len(remote.url):], b'{"success": true, "result": {',
                     content_type="application/json")
    report = run_source(db, "portal")
    assert report.status == "failed"
    assert ("HTTP 500" if broken == "http500" else "not JSON") in report.error
    assert report.counters["withdrawn"] == 0
    assert all(state == "published" for state, _d in harvested_documents(db).values())


def test_repeating_page_fails_the_job(db, world, remote, make_ckan):
    page = [package(0), package(1)]
    serve_page(remote, 0, page, 6)
    serve_page(remote, 2, page, 6)      # a portal that ignores start
    make_ckan()
    report = run_source(db, "portal")
    assert report.status == "failed" and "paging loop" in report.error
    assert len(remote.requests) == 2


def test_package_lacking_a_guide_field_waits_to_be_completed_and_a_bad_one_is_an_error_row(db, world, remote,
                                                                                           make_ckan):
    incomplete = package(1)
    incomplete["extras"] = [e for e in incomplete["extras"] if e["key"] != "update_frequency"]
    broken_json = package(2)
    for extra in broken_json["extras"]:
        if extra["key"] == "classification":
            extra["value"] = "199"
    serve_listing(remote, [package(0), incomplete, broken_json])
    make_ckan()
    report = run_source(db, "portal")
    assert report.status == "succeeded", report.error
    assert (report.counters["created"], report.counters["incomplete"], report.counters["failed"]) == (2, 1, 1)
    harvested = harvested_documents(db)
    assert set(harvested) == {original(remote, 0), original(remote, 1)}
    state, doc = harvested[original(remote, 1)]
    assert state == "incomplete" and "update_frequency" not in doc and doc["title"] == "部门数据集1"
    with db.reader() as session:
        errors = {e.record_id: e for e in session.scalars(select(HarvestError).where(
            HarvestError.job_id == report.job_id, HarvestError.severity == "error"))}
    assert set(errors) == {original(remote, 2)} and "classification" in errors[original(remote, 2)].message


def test_package_that_cannot_be_taken_is_an_error_row_and_others_load(db, world, remote, make_ckan):
    untitled = package(1)
    untitled["title"] = untitled["name"] = ""           # nothing to call it by
    misfiled = package(2)
    for extra in misfiled["extras"]:
        if extra["key"] == "classification":
            extra["value"] = "199"                     # a classification this catalog does not have
    serve_listing(remote, [package(0), untitled, misfiled])
    make_ckan()
    report = run_source(db, "portal")
    assert report.status == "succeeded", report.error
    assert (report.counters["created"], report.counters["failed"]) == (1, 2)
    assert set(harvested_documents(db)) == {original(remote, 0)}
    with db.reader() as session:
        errors = {e.record_id: e for e in session.scalars(select(HarvestError).where(
            HarvestError.job_id == report.job_id, HarvestError.severity == "error"))}
    assert errors[original(remote, 1)].stage == "map" and "title" in errors[original(remote, 1)].message
    assert "全省企业法人登记的基本信息" in errors[original(remote, 1)].snippet
    assert "classification" in errors[original(remote, 2)].message


def test_plain_ckan_package_maps_with_the_source_defaults(db, world, remote, make_ckan):
    plain = {"id": "6f1c2b1e-aaaa-4bbb-8ccc-000000000001", "name": "air-quality", "title": "空气质量监测",
             "notes": "", "license_id": "cc-by", "tags": [{"name": "环境"}, {"name": "空气"}], "extras": [],
             "resources": [{"url": "https://portal.example.gov.cn/files/air.csv", "format": "CSV",
                            "mimetype": "CSV", "size": "12"},
                           {"url": "https://portal.example.gov.cn/files/air.json", "format": "JSON",
                            "mimetype": "application/json", "size": 2048}, {"url": ""}]}
    serve_listing(remote, [plain])
    make_ckan(defaults={"classification": "102", "format_class": "electronic_file", "share_type": "unconditional",
                        "share_method": "platform_file", "open_type": "unconditional", "update_frequency": "daily"})
    report = run_source(db, "portal")
    assert report.counters["created"] == 1, report.errors
    (_state, doc), = harvested_documents(db).values()
    assert (doc["title"], doc["title_lang"], doc["keywords"], doc["license"]) == \
        ("空气质量监测", "", ["环境", "空气"], "cc-by")
    assert "description" not in doc          # the package has none, and none is made up from its title
    assert doc["distributions"] == [
        {"access_url": "https://portal.example.gov.cn/files/air.csv", "format": "CSV", "byte_size": 12},
        {"access_url": "https://portal.example.gov.cn/files/air.json", "format": "JSON",
         "media_type": "application/json", "byte_size": 2048}]
    assert doc["update_frequency"] == "daily"
    dropped = {(e["field"], e["severity"]) for e in report.errors}
    assert {("distributions[0].media_type", "warning"), ("distributions", "warning")} <= dropped


def fixture_packages(*names: str) -> list[dict]:
    return [p for name in names for p in json.loads((FIXTURES / f"{name}.json").read_text())["result"]["results"]]


def test_real_portals_packages_all_reach_the_catalog_with_their_languages_and_publishers(db, world, remote, make_ckan):
    listing = fixture_packages("core_city_portal", "dcat_extras_portal", "dcat_scheming_portal", "fluent_portal")
    serve_listing(remote, listing)
    make_ckan()
    report = run_source(db, "portal")
    assert report.status == "succeeded", report.error
    assert (report.counters["created"], report.counters["failed"]) == (len(listing), 0), report.errors
    harvested = {original_id.rpartition("/")[2]: (state, doc) for original_id, (state, doc)
                 in harvested_documents(db).items()}
    assert {state for state, _doc in harvested.values()} == {"incomplete"}    # no sharing type: to be completed
    by_name = {p["name"]: harvested[p["id"]][1] for p in listing}
    for name, doc in by_name.items():
        assert doc["provider"] == world.dept_a.credit_code and doc["landing_page"].startswith(("http://", "https://"))
        assert doc["original_publisher"]["name"] and doc["other_identifiers"][1] == name
    assert [(by_name[n]["title"], by_name[n]["title_lang"]) for n in ("gemeindegrenzen", "qualitat-aire",
                                                                       "einwohner-nach-stadtteilen")] == \
        [("Gemeindegrenzen", "de"), ("Qualitat de l'aire", "ca"), ("Einwohner nach Stadtteilen", "")]
    assert by_name["einwohner-nach-stadtteilen"]["landing_page"] == f"{remote.url}/dataset/einwohner-nach-stadtteilen"
    assert by_name["einwohner-nach-stadtteilen"]["original_publisher"] == {
        "name": "Amt für Statistik und Wahlen", "uri": f"{remote.url}/organization/amt-fuer-statistik"}
    assert by_name["subsidieregister"]["open_type"] == "none" and "issued" not in by_name["subsidieregister"]
    # What the core dropped is reported, each once, with the record it came from.
    roadworks = original(remote, "4b7c1d2e-8f90-4a1b-b2c3-d4e5f6a7b8c9")
    dropped = {e["field"] for e in report.errors if e["record_id"] == roadworks and e["severity"] == "warning"}
    assert {"landing_page", "contact_point.email", "distributions[0].access_url",
            "distributions[1].access_url"} <= dropped, report.errors
    assert [d["access_url"] for d in by_name["baustellen-aktuell"]["distributions"]] == [
        "https://geo.example-stadt.de/wfs/baustellen?SERVICE=WFS&REQUEST=GetCapabilities"]


def test_another_govcats_harvested_record_comes_through_its_ckan_api_with_languages_and_publisher(db, world, remote,
                                                                                                 make_ckan):
    foreign = govcat_doc(5, issued="2024-04-01", title_lang="de", description_lang="",
                         keywords=["Verkehr"], keywords_lang="de", landing_page="https://daten.example.de/vz",
                         original_publisher={"name": "Landesamt für Straßenbau", "uri": "https://lsb.example.de/"},
                         other_identifiers=["vz-2023-17"])
    serve_listing(remote, [package(5, foreign)])
    make_ckan()
    report = run_source(db, "portal")
    assert report.counters["created"] == 1, report.errors
    _state, stored = harvested_documents(db)[original(remote, 5)]
    same = ("title_lang", "description_lang", "keywords_lang", "keywords", "landing_page", "original_publisher")
    assert {k: stored.get(k) for k in same} == {k: foreign[k] for k in same}
    assert "vz-2023-17" in stored["other_identifiers"]
