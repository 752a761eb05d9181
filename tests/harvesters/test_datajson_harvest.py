"""A data.json catalog (DCAT-US 1.1 and 3.0) harvested end to end from a local server, realistic and broken."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from harvesters.datajson import map_dataset, temporal, update_frequency
from harvesters.datajson_fields import Notes
from harvesters.models import HarvestError, HarvestJob
from registry.resources.schemas import missing_fields
from harvesters.services import run_source, update_source
from registry.audit.models import AuditEvent
from tests.harvesters.conftest import harvested_resources

FIXTURES = Path(__file__).parent / "fixtures" / "datajson"
CATALOG = json.loads((FIXTURES / "catalog.json").read_text("utf-8"))
# Shaped like real agencies' files: a federal one in DCAT-US 1.1, with its quirks, and one in DCAT-US 3.0.
AGENCY_11 = json.loads((FIXTURES / "agency-1.1.json").read_text("utf-8"))
AGENCY_30 = json.loads((FIXTURES / "agency-3.0.json").read_text("utf-8"))
AIR, CREDIT, POLLUTION = (d["identifier"] for d in CATALOG["dataset"])
# What govcat requires and data.json does not say; open_type is there to show it never widens an access level.
DEFAULTS = {"classification": "102", "format_class": "electronic_file", "share_type": "unconditional",
            "share_method": "platform_file", "open_type": "unconditional", "update_frequency": "irregular"}


@pytest.fixture
def make_datajson(make_source, remote):
    def make(body, name: str = "dept-json", **options):
        options.setdefault("defaults", DEFAULTS)
        url = serve(remote, body)
        make_source(name, url, type="datajson", **options)
        return url
    return make


def serve(remote, body, **options) -> str:
    """Serve ``body`` (a catalog as Python data, or bytes) as the data.json of the remote."""
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
    return remote.serve("/data.json", data, **{"content_type": "application/json", **options})


def catalog(*datasets) -> dict:
    return {**CATALOG, "dataset": list(datasets)}


def datasets() -> list[dict]:
    return copy.deepcopy(CATALOG["dataset"])


def _count(db, model) -> int:
    with db.reader() as session:
        return session.scalar(select(func.count()).select_from(model))


def _errors(db, job_id: int) -> dict:
    with db.reader() as session:
        return {e.record_id: e for e in session.scalars(select(HarvestError).where(HarvestError.job_id == job_id))}


def test_realistic_catalog_is_harvested_with_every_field(db, world, remote, make_datajson):
    url = make_datajson(CATALOG)
    report = run_source(db, "dept-json")
    assert report.status == "succeeded", report.error
    assert (report.counters["created"], report.counters["failed"]) == (3, 0), report.errors
    harvested = harvested_resources(db)
    # An identifier that is an http(s) IRI is the original identifier; others are qualified by the catalog.
    assert set(harvested) == {AIR, f"{url}#{CREDIT}", f"{url}#{POLLUTION}"}
    # Two records give no release date: published as harvested they would need one, and none is made up.
    assert {k: state for k, (state, *_rest) in harvested.items()} == {
        AIR: "published", f"{url}#{CREDIT}": "incomplete", f"{url}#{POLLUTION}": "incomplete"}
    assert all(missing_fields(doc) == [] and "issued" not in doc
               for k, (_s, *_rest, doc) in harvested.items() if k != AIR)
    air = harvested[AIR][3]
    assert air["title"] == "全省空气质量日报" and air["description"].startswith("全省各监测站点")
    assert sorted(air["keywords"]) == ["大气", "环境监测", "空气质量"]   # an unknown theme helps finding
    assert air["themes"] == ["ENVI"]
    assert (air["issued"], air["spatial"], air["license"]) == ("2019-03-01", "330000", "CC-BY-4.0")
    assert air["temporal"] == {"start": "2019-01-01", "end": "2023-12-31"}
    assert air["contact_point"] == {"name": "监测数据科", "email": "monitor@example.gov.cn"}
    # The publisher the record names is kept as the source's; the provider stays the source's department.
    assert air["provider"] == world.dept_a.credit_code and "provider_unit" not in air
    assert air["original_publisher"] == {"name": "省生态环境厅监测处 (省生态环境厅)"}
    assert (air["title_lang"], air["description_lang"]) == ("", "")      # data.json texts are untagged
    assert air["other_identifiers"] == [AIR]
    assert (air["open_type"], air["update_frequency"], air["language"]) == ("unconditional", "daily", ["zh"])
    assert air["distributions"] == [
        {"title": "日报（CSV）", "description": "每日一行，每站一列。",
         "access_url": "https://data.example.gov.cn/files/air-quality.csv",
         "download_url": "https://data.example.gov.cn/files/air-quality.csv", "media_type": "text/csv",
         "format": "CSV"},
        {"title": "查询接口", "access_url": "https://data.example.gov.cn/api/air-quality", "format": "API"}]
    assert (air["classification"], air["format_class"], air["share_type"]) == ("102", "electronic_file",
                                                                               "unconditional")
    credit = harvested[f"{url}#{CREDIT}"][3]
    assert (credit["open_type"], credit["open_conditions"]) == ("conditional", "仅向签署数据使用协议的单位提供明细数据。")
    assert credit["contact_point"]["email"] == "credit@example.gov.cn"
    assert credit["temporal"] == {"start": "2021-01-01", "end": "2023-12-31"}
    assert credit["update_frequency"] == "annual"
    assert "issued" not in credit      # modified is not issued, and no release date is made up
    pollution = harvested[f"{url}#{POLLUTION}"][3]
    # non-public is never opened, though the source's default says unconditional.
    assert (pollution["open_type"], pollution["update_frequency"]) == ("none", "irregular")
    assert sorted(pollution["language"]) == ["en-US", "zh"]


def test_older_bare_list_of_datasets_is_accepted(db, world, remote, make_datajson):
    url = make_datajson(datasets())
    report = run_source(db, "dept-json")
    assert report.status == "succeeded" and report.counters["created"] == 3, report.error
    assert f"{url}#{CREDIT}" in harvested_resources(db)


def test_second_run_writes_nothing_even_when_only_modified_moved(db, world, remote, make_datajson):
    make_datajson(CATALOG)
    run_source(db, "dept-json")
    before = (harvested_resources(db), _count(db, AuditEvent))
    moved = datasets()
    for dataset in moved:
        dataset["modified"] = "2025-01-01"    # govcat keeps no such field: nothing changed for it
    serve(remote, catalog(*moved))
    report = run_source(db, "dept-json")
    assert report.status == "succeeded"
    assert (report.counters["unchanged"], report.counters["created"], report.counters["updated"]) == (3, 0, 0)
    assert (harvested_resources(db), _count(db, AuditEvent)) == before


def test_changed_dataset_is_updated_and_vanished_one_withdrawn(db, world, remote, make_datajson):
    url = make_datajson(CATALOG)
    run_source(db, "dept-json")
    air, credit, _pollution = datasets()
    air["title"] = "全省空气质量日报（修订）"
    air["accrualPeriodicity"] = "R/PT1H"
    serve(remote, catalog(air, credit))
    report = run_source(db, "dept-json")
    assert report.status == "succeeded", report.error
    assert (report.counters["updated"], report.counters["unchanged"], report.counters["withdrawn"]) == (1, 1, 1)
    harvested = harvested_resources(db)
    assert harvested[AIR][3]["title"] == "全省空气质量日报（修订）"
    assert harvested[AIR][3]["update_frequency"] == "realtime" and harvested[AIR][2] == 2
    assert harvested[f"{url}#{POLLUTION}"][:2] == ("withdrawn", False)


@pytest.mark.parametrize("body, status, message", [
    (b'{"@type": "dcat:Catalog", "dataset": [', 200, "not JSON"),
    (b"<html><body>Portal under maintenance</body></html>", 200, "not JSON"),
    (json.dumps({"@type": "dcat:Catalog", "datasets": []}).encode(), 200, "not a data.json catalog"),
    (json.dumps({"@type": "dcat:Distribution", "dataset": []}).encode(), 200, "not a data.json catalog"),
    (json.dumps("dataset").encode(), 200, "not a data.json catalog"),
    (b"Internal Server Error", 500, "HTTP 500"),
    (json.dumps({**CATALOG, "dataset": []}).encode(), 200, "listed no records"),
], ids=["truncated", "html", "no-dataset-list", "not-a-catalog", "a-string", "http500", "emptied"])
def test_broken_document_fails_the_job_and_leaves_the_catalog_as_it_was(db, world, remote, make_datajson,
                                                                         body, status, message):
    make_datajson(CATALOG)
    run_source(db, "dept-json")
    before = (harvested_resources(db), _count(db, AuditEvent))
    serve(remote, body, status=status)
    report = run_source(db, "dept-json")
    assert report.status == "failed" and message in report.error
    assert report.counters["withdrawn"] == 0
    assert (harvested_resources(db), _count(db, AuditEvent)) == before
    with db.reader() as session:
        assert session.get(HarvestJob, report.job_id).status == "failed"


def test_bad_datasets_are_error_rows_and_the_valid_ones_land(db, world, remote, make_datajson):
    air, credit, pollution = datasets()
    no_identifier = {**air, "identifier": "  "}
    unknown_level = {**air, "identifier": "LEVEL-1", "accessLevel": "internal"}
    bad_frequency = {**air, "identifier": "FREQ-1", "accrualPeriodicity": "whenever"}
    no_title = {**air, "identifier": "NO-TITLE-1", "title": ""}
    bad_url = {**credit, "identifier": "BAD-URL-1", "landingPage": "https://data.example.gov.cn/ent-credit",
               "distribution": [{"downloadURL": "javascript:alert(1)", "format": "CSV"}]}
    url = make_datajson(catalog(air, "not a dataset", no_identifier, unknown_level, bad_frequency, no_title,
                                {**pollution, "title": "同一标识再次出现"}, pollution, bad_url))
    report = run_source(db, "dept-json")
    assert report.status == "succeeded", report.error
    # A value that cannot be read is dropped (and said), never the record: only what has no identity or
    # no title fails.
    assert (report.counters["created"], report.counters["failed"], report.counters["duplicates"]) == (5, 3, 1)
    harvested = harvested_resources(db)
    assert set(harvested) == {AIR, f"{url}#LEVEL-1", f"{url}#FREQ-1", f"{url}#{POLLUTION}", f"{url}#BAD-URL-1"}
    assert harvested[f"{url}#{POLLUTION}"][3]["title"] == "同一标识再次出现"   # the first one listed
    assert "distributions" not in harvested[f"{url}#BAD-URL-1"][3]
    errors = _errors(db, report.job_id)
    assert (errors[f"{url}#dataset-2"].stage, errors[f"{url}#dataset-2"].snippet) == ("fetch", '"not a dataset"')
    assert "not a JSON object" in errors[f"{url}#dataset-2"].message
    missing = errors[f"{url}#dataset-3"]
    assert missing.stage == "fetch" and "without an identifier" in missing.message
    assert "全省空气质量日报" in missing.snippet
    assert "title" in errors[f"{url}#NO-TITLE-1"].message and '"NO-TITLE-1"' in errors[f"{url}#NO-TITLE-1"].snippet
    assert "listed twice" in errors[f"{url}#{POLLUTION}"].message


def test_what_cannot_be_read_is_said_in_warnings():
    air, credit, _pollution = datasets()
    doc = map_dataset({**air, "accessLevel": "internal", "accrualPeriodicity": "whenever", "issued": "2019",
                       "distribution": [{"downloadURL": "javascript:alert(1)"}]}, "https://x.example/data.json")
    assert "open_type" not in doc and "update_frequency" not in doc and "issued" not in doc
    assert {(w["field"], w["value"]) for w in doc["_warnings"]} == {
        ("open_type", "internal"), ("update_frequency", "whenever"), ("issued", "2019"),
        ("distributions[0].download_url", "javascript:alert(1)"), ("distributions[0]", "")}


def test_restricted_public_is_conditional_and_never_widened(db, world, remote, make_datajson):
    _air, credit, _pollution = datasets()
    del credit["rights"]
    url = make_datajson(catalog(credit))
    report = run_source(db, "dept-json")
    # Conditional with its conditions to be completed: whatever becomes of the record, it is never opened wider.
    assert all(doc["open_type"] == "conditional" for *_rest, doc in harvested_resources(db).values())
    doc = map_dataset(credit, url)
    assert (doc["open_type"], "open_conditions" in doc) == ("conditional", False)
    assert doc["_warnings"][0]["field"] == "open_conditions"
    assert report.status == "succeeded" and report.counters["incomplete"] == 1
    assert "open_conditions" in report.as_dict()["summary"]["to_complete"][0]["field"]
    with db.transaction() as session:       # the centre gives the conditions once, for every record
        update_source(session, None, "dept-json", {"defaults": {**DEFAULTS, "open_conditions": "需签署数据使用协议。"}},
                      check_permission=False)
    report = run_source(db, "dept-json")
    assert report.counters["updated"] == 1, report.errors
    doc = harvested_resources(db)[f"{url}#{CREDIT}"][3]
    assert (doc["open_type"], doc["open_conditions"]) == ("conditional", "需签署数据使用协议。")


def test_an_agencys_data_json_1_1_with_its_quirks(db, world, remote, make_datajson):
    url = make_datajson(AGENCY_11, defaults={**DEFAULTS, "description": "（来源未提供摘要）"})
    report = run_source(db, "dept-json")
    assert report.status == "succeeded", report.error
    assert (report.counters["created"], report.counters["failed"]) == (4, 0), report.errors
    harvested = {key: doc for key, (*_rest, doc) in harvested_resources(db).items()}
    biomass = harvested["https://www.fisheries.example.gov/dataset/groundfish-biomass"]
    assert biomass["original_publisher"] == {
        "name": "Office of Fisheries Science (Fisheries Service, Department of Oceans)"}
    assert biomass["contact_point"] == {"name": "Stock Assessment Office", "email": "stocks@fisheries.example.gov"}
    assert (biomass["landing_page"], biomass["issued"]) == ("https://www.fisheries.example.gov/groundfish",
                                                            "2014-06-04")
    assert biomass["temporal"] == {"start": "1995-01-01", "end": "2022-12-31"}
    # Only a download URL: it is the access URL too; a relative address is read against the document's
    # address; a bare one (no http://) is dropped.
    assert [d["access_url"] for d in biomass["distributions"]] == [
        "https://www.fisheries.example.gov/files/biomass.csv", url.replace("/data.json", "/data/biomass/explorer")]
    assert "spatial" not in biomass                          # a bounding box is no division code
    observers = harvested[f"{url}#FS-OBS-0007"]
    assert (observers["open_type"], observers["open_conditions"]) == (
        "conditional", "Vessel-level records are available to researchers under a data sharing agreement.")
    assert "issued" not in observers or observers["issued"] != "2012-01-01"   # a year alone is no date
    assert observers["contact_point"]["email"] == "observers@fisheries.example.gov"
    permits = harvested[f"{url}#FS-PERMITS"]
    assert permits["open_type"] == "none" and permits["contact_point"] == {"name": "Permits Desk"}
    assert harvested[f"{url}#FS-LEGACY-12"]["landing_page"] == "http://www.fisheries.example.gov/legacy/trawl"


def test_a_dcat_us_3_catalog(db, world, remote, make_datajson):
    url = make_datajson(AGENCY_30)
    report = run_source(db, "dept-json")
    assert report.status == "succeeded", report.error
    assert (report.counters["created"], report.counters["failed"]) == (2, 0), report.errors
    harvested = {key: doc for key, (*_rest, doc) in harvested_resources(db).items()}
    trails = harvested[f"{url}#PARKS-TRAIL-001"]
    assert (trails["title"], trails["issued"], trails["update_frequency"]) == ("Trail conditions", "2019-05-01",
                                                                                "daily")
    assert trails["original_publisher"] == {"name": "Visitor Services Division (Parks Service)",
                                            "uri": "https://www.parks.example.gov/org/visitor-services"}
    assert trails["other_identifiers"] == ["PARKS-TRAIL-001", "NPS-TC-2019"]
    assert trails["contact_point"] == {"name": "Trail Information Line", "email": "trails@parks.example.gov"}
    assert (trails["landing_page"], trails["license"]) == ("https://www.parks.example.gov/trails", "CC0-1.0")
    assert trails["temporal"] == {"start": "2019-05-01", "end": "2024-09-30"}
    assert trails["open_type"] == "unconditional" and "Recreation" in trails["keywords"]
    wildlife = harvested[f"{url}#PARKS-WILD-014"]
    assert (wildlife["title"], wildlife["title_lang"], wildlife["description_lang"]) == (
        "Sensitive wildlife sightings", "en", "en")
    # The dataset says partly restricted, a distribution unrestricted: the narrower one holds.
    assert (wildlife["open_type"], wildlife["open_conditions"]) == (
        "conditional", "Exact coordinates are released only to permitted researchers.")


def test_a_record_without_description_or_guide_fields_maps_without_failing():
    doc = map_dataset({"identifier": "X-1", "title": "Bare record", "description": "",
                       "distribution": [{"downloadURL": "https://x.example/f.csv"}]}, "https://x.example/data.json")
    assert doc == {"title": "Bare record", "title_lang": "", "other_identifiers": ["X-1"],
                   "distributions": [{"access_url": "https://x.example/f.csv", "download_url": "https://x.example/f.csv"}]}


def test_a_dataset_without_access_level_takes_the_source_default(db, world, remote, make_datajson):
    air = datasets()[0]
    del air["accessLevel"]
    make_datajson(catalog(air), defaults={**DEFAULTS, "open_type": "none"})
    assert run_source(db, "dept-json").counters["created"] == 1
    assert harvested_resources(db)[AIR][3]["open_type"] == "none"


def test_slow_server_times_out_and_the_job_fails_cleanly(db, world, remote, make_datajson):
    make_datajson(CATALOG)
    run_source(db, "dept-json")
    before = harvested_resources(db)
    serve(remote, CATALOG, delay=2)
    report = run_source(db, "dept-json", read_timeout=0.3)
    assert report.status == "failed" and "timed out" in report.error
    assert harvested_resources(db) == before


def test_enormous_response_is_cut_at_the_size_cap(db, world, remote, make_datajson):
    make_datajson(CATALOG)
    run_source(db, "dept-json")
    before = harvested_resources(db)
    remote.serve("/data.json", stream_bytes=8 * 1024 * 1024, content_type="application/json")
    report = run_source(db, "dept-json", max_bytes=1024 * 1024)
    assert report.status == "failed" and "cap" in report.error
    assert harvested_resources(db) == before


@pytest.mark.parametrize("value, expected", [
    ("R/PT1S", "realtime"), ("R/PT1H", "realtime"), ("R/P1D", "daily"), ("R/P3.5D", "weekly"),
    ("R/P1W", "weekly"), ("R/P0.5M", "monthly"), ("R/P2W", "monthly"), ("R/P1M", "monthly"),
    ("R/P2M", "quarterly"), ("R/P3M", "quarterly"), ("R/P4M", "semiannual"), ("R/P6M", "semiannual"),
    ("R/P1Y", "annual"), ("R/P2Y", "irregular"), ("R/P10Y", "irregular"), ("irregular", "irregular"),
    ("P1M", "monthly"), (None, None),
])
def test_accrual_periodicity_maps_to_a_frequency_that_is_never_too_eager(value, expected):
    assert update_frequency(value) == expected


@pytest.mark.parametrize("value", ["R/P", "R/P0D", "monthly-ish", "R/1M"])
def test_accrual_periodicity_that_is_no_duration_is_left_out_and_said(value):
    notes = Notes()
    assert update_frequency(value, notes) is None
    assert notes.rows == [{"field": "update_frequency", "value": value,
                           "reason": "accrualPeriodicity is not an ISO 8601 repeating duration"}]


@pytest.mark.parametrize("value, expected", [
    ("weekly", "weekly"), ("http://publications.europa.eu/resource/authority/frequency/MONTHLY", "monthly"),
    ({"@id": "http://purl.org/cld/freq/quarterly"}, "quarterly")])
def test_accrual_periodicity_words_and_addresses(value, expected):
    assert update_frequency(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("2010-01-01T00:00:00Z/2015-12-31", {"start": "2010-01-01", "end": "2015-12-31"}),
    ("2020-02/2024-02", {"start": "2020-02-01", "end": "2024-02-29"}),
    ("2000-01-15/P1M", {"start": "2000-01-15"}),
    ("2019", {}),
])
def test_temporal_interval_bounds_are_days(value, expected):
    assert temporal(value) == expected
