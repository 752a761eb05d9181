"""A CSW 2.0.2 geoportal harvested end to end from a local server: ISO 19139 records, paged with GetRecords."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from harvesters import base
from harvesters.csw import CswHarvester, page_url
from harvesters.models import HarvestError
from harvesters.services import run_source
from registry.audit.models import AuditEvent
from registry.resources.models import Resource
from tests.harvesters.conftest import harvested_documents

FIXTURES = Path(__file__).parent / "fixtures" / "csw"
NS = ('xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco" '
      'xmlns:gml="http://www.opengis.net/gml"')
DEFAULTS = {"classification": "102", "format_class": "electronic_file", "share_type": "unconditional",
            "share_method": "platform_file", "open_type": "unconditional", "update_frequency": "irregular"}
LAND_USE = "3f6a9c2e-58b1-4d7e-9a41-0c2d7e5b1f03"


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    monkeypatch.setattr(CswHarvester, "page_size", 2)


@pytest.fixture
def make_csw(make_source, remote):
    def make(name: str = "geoportal", path: str = "/csw", **options):
        options.setdefault("defaults", DEFAULTS)
        return make_source(name, remote.url + path, type="csw", **options)
    return make


def iso_record(n: int, *, identifier: str | None = "default", title: str | None = None,
               abstract: str | None = "default", frequency: str = "monthly", extra: str = "") -> str:
    """A small ISO 19139 record of dataset ``n``, as a geoportal returns it in a GetRecords answer."""
    identifier = f"dataset-{n:04d}" if identifier == "default" else identifier
    abstract = f"第{n}号测绘成果的说明。" if abstract == "default" else abstract
    file_identifier = (f"<gmd:fileIdentifier><gco:CharacterString>{identifier}</gco:CharacterString>"
                       f"</gmd:fileIdentifier>" if identifier else "")
    abstract_element = f"<gmd:abstract><gco:CharacterString>{abstract}</gco:CharacterString></gmd:abstract>" \
        if abstract else ""
    return f"""<gmd:MD_Metadata {NS}>
  {file_identifier}
  <gmd:identificationInfo><gmd:MD_DataIdentification>
    <gmd:citation><gmd:CI_Citation>
      <gmd:title><gco:CharacterString>{title or f"测绘成果{n}"}</gco:CharacterString></gmd:title>
      <gmd:date><gmd:CI_Date><gmd:date><gco:Date>2024-0{n % 9 + 1}-01</gco:Date></gmd:date>
        <gmd:dateType><gmd:CI_DateTypeCode codeListValue="revision"/></gmd:dateType></gmd:CI_Date></gmd:date>
    </gmd:CI_Citation></gmd:citation>
    {abstract_element}
    <gmd:resourceMaintenance><gmd:MD_MaintenanceInformation><gmd:maintenanceAndUpdateFrequency>
      <gmd:MD_MaintenanceFrequencyCode codeListValue="{frequency}"/>
    </gmd:maintenanceAndUpdateFrequency></gmd:MD_MaintenanceInformation></gmd:resourceMaintenance>
    {extra}
  </gmd:MD_DataIdentification></gmd:identificationInfo>
</gmd:MD_Metadata>"""


def land_use_record() -> str:
    return (FIXTURES / "land_use.xml").read_text(encoding="utf-8")


def search_results(records: list[str], *, matched: int, next_record: int) -> bytes:
    """One GetRecords answer holding ``records``."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" version="2.0.2">
  <csw:SearchStatus timestamp="2024-05-01T08:00:00Z"/>
  <csw:SearchResults numberOfRecordsMatched="{matched}" numberOfRecordsReturned="{len(records)}"
      nextRecord="{next_record}" recordSchema="http://www.isotc211.org/2005/gmd" elementSet="full">
{"".join(records)}
  </csw:SearchResults>
</csw:GetRecordsResponse>""".encode("utf-8")


def serve_page(remote, start: int, body: bytes, path: str = "/csw", **options) -> None:
    options.setdefault("content_type", "application/xml")
    remote.serve(page_url(remote.url + path, start, 2)[len(remote.url):], body, **options)


def serve_listing(remote, records: list[str]) -> None:
    """The whole catalogue in pages of two, nextRecord 0 on the last."""
    for start in range(1, max(len(records), 1) + 1, 2):
        page = records[start - 1:start + 1]
        following = start + 2 if start + 1 < len(records) else 0
        serve_page(remote, start, search_results(page, matched=len(records), next_record=following))


def original(remote, identifier: str) -> str:
    return f"{remote.url}/csw#{identifier}"


def _catalog(db) -> tuple:
    """Everything a harvest may change: the harvested resources, their documents, the audit trail."""
    with db.reader() as session:
        return harvested_documents(db), session.scalar(select(func.count()).select_from(AuditEvent))


def _errors(db, job_id: int) -> dict:
    with db.reader() as session:
        return {e.record_id: e for e in session.scalars(select(HarvestError).where(HarvestError.job_id == job_id))}


def test_geoportal_catalogue_is_harvested_with_its_iso_fields(db, world, remote, make_csw):
    records = [land_use_record(), iso_record(1, frequency="fortnightly"),
               iso_record(2, identifier="https://geo.example.gov.cn/metadata/roads-2024")]
    serve_listing(remote, records)
    make_csw()
    report = run_source(db, "geoportal")
    assert report.status == "succeeded", report.error
    assert (report.counters["created"], report.counters["failed"]) == (3, 0), report.errors

    queries = [parse_qs(urlsplit(path).query) for path, _headers in remote.requests]
    assert [q["startPosition"] for q in queries] == [["1"], ["3"]]
    assert all(q["request"] == ["GetRecords"] and q["version"] == ["2.0.2"] and q["typeNames"] == ["csw:Record"]
               and q["outputSchema"] == ["http://www.isotc211.org/2005/gmd"] and q["elementSetName"] == ["full"]
               and q["resultType"] == ["results"] and q["maxRecords"] == ["2"] for q in queries)

    harvested = harvested_documents(db)
    assert set(harvested) == {original(remote, LAND_USE), original(remote, "dataset-0001"),
                              "https://geo.example.gov.cn/metadata/roads-2024"}
    state, doc = harvested[original(remote, LAND_USE)]
    assert state == "published" and doc["provider"] == world.dept_a.credit_code
    assert doc["title"] == "2023年度全省土地利用现状数据"
    assert doc["description"].startswith("第三次全国国土调查成果基础上")
    assert doc["keywords"] == ["土地利用", "国土调查", "浙江省"]
    assert doc["issued"] == "2023-12-15"                       # the publication date, not the creation date
    assert doc["temporal"] == {"start": "2023-01-01", "end": "2023-12-31"}
    assert doc["contact_point"] == {"name": "省自然资源厅调查监测处", "email": "dcjc@zrzyt.example.gov.cn",
                                    "phone": "0571-87654321"}
    assert doc["update_frequency"] == "annual"
    assert doc["license"] == "政府数据开放许可协议（署名）"
    assert doc["data_services"] == [
        {"title": "土地利用现状图层服务",
         "endpoint_url": "https://geo.zrzyt.example.gov.cn/geoserver/tdly/wms?SERVICE=WMS&REQUEST=GetCapabilities",
         "endpoint_description": "地类图斑 WMS 图层"},
        {"title": "2023年度全省土地利用现状数据", "endpoint_url": "https://geo.zrzyt.example.gov.cn/geoserver/tdly/wfs",
         "endpoint_description": "OGC:WFS"}]
    assert doc["distributions"] == [
        {"title": "tdly2023.zip", "description": "Shapefile 压缩包",
         "access_url": "https://data.zrzyt.example.gov.cn/download/tdly2023.zip",
         "download_url": "https://data.zrzyt.example.gov.cn/download/tdly2023.zip", "format": "ESRI Shapefile"},
        {"title": "成果说明", "access_url": "https://www.zrzyt.example.gov.cn/tdly/2023.html"}]
    # What ISO does not say comes from the source's defaults.
    assert {k: doc[k] for k in ("classification", "format_class", "share_type", "open_type")} == \
        {"classification": "102", "format_class": "electronic_file", "share_type": "unconditional",
         "open_type": "unconditional"}

    _state, small = harvested[original(remote, "dataset-0001")]
    assert (small["update_frequency"], small["issued"]) == ("monthly", "2024-02-01")   # fortnightly: next coarser
    assert "contact_point" not in small and "distributions" not in small


def test_maintenance_frequency_unknown_or_absent_is_left_to_the_defaults(db, world, remote, make_csw):
    serve_listing(remote, [iso_record(0, frequency="unknown"), iso_record(1, frequency="continual")])
    make_csw()
    assert run_source(db, "geoportal").counters["created"] == 2
    docs = {k: doc for k, (_s, doc) in harvested_documents(db).items()}
    assert docs[original(remote, "dataset-0000")]["update_frequency"] == "irregular"
    assert docs[original(remote, "dataset-0001")]["update_frequency"] == "realtime"


def test_type_names_and_constraints_of_the_source_address_are_kept(db, world, remote, make_csw):
    path = "/csw?typeNames=gmd:MD_Metadata&startPosition=50"
    remote.serve(page_url(remote.url + path, 1, 2)[len(remote.url):],
                 search_results([iso_record(0)], matched=1, next_record=0), content_type="application/xml")
    make_csw(path=path)
    report = run_source(db, "geoportal")
    assert report.counters["created"] == 1, report.errors
    query = parse_qs(urlsplit(remote.requests[0][0]).query)
    assert (query["typeNames"], query["startPosition"]) == (["gmd:MD_Metadata"], ["1"])


def test_iso_19115_2_records_are_harvested_like_iso_19139_ones(db, world, remote, make_csw):
    imagery = iso_record(0).replace("gmd:MD_Metadata ", 'gmi:MI_Metadata xmlns:gmi="http://www.isotc211.org/2005/gmi" ')
    imagery = imagery.replace("</gmd:MD_Metadata>", "</gmi:MI_Metadata>")
    serve_listing(remote, [imagery])
    make_csw()
    assert run_source(db, "geoportal").counters["created"] == 1
    assert harvested_documents(db)[original(remote, "dataset-0000")][1]["title"] == "测绘成果0"


def test_resource_code_already_in_the_catalog_is_a_duplicate(db, world, remote, make_csw):
    serve_listing(remote, [iso_record(0)])
    make_csw()
    run_source(db, "geoportal")
    with db.reader() as session:
        code = session.scalars(select(Resource.code)).one()
    cited = ("<gmd:citation><gmd:CI_Citation><gmd:title><gco:CharacterString>测绘成果0（转载）</gco:CharacterString>"
             "</gmd:title><gmd:identifier><gmd:MD_Identifier><gmd:code><gco:CharacterString>"
             f"{code}</gco:CharacterString></gmd:code></gmd:MD_Identifier></gmd:identifier></gmd:CI_Citation>"
             "</gmd:citation>")
    copy = iso_record(7).replace("<gmd:MD_DataIdentification>", "<gmd:MD_DataIdentification>" + cited, 1)
    serve_page(remote, 1, search_results([copy], matched=1, next_record=0), path="/other-csw")
    make_csw("other-portal", path="/other-csw", department=world.dept_b.credit_code)
    report = run_source(db, "other-portal")
    assert report.counters["duplicates"] == 1 and code in report.errors[0]["message"]
    assert len(harvested_documents(db)) == 1


def test_second_run_writes_nothing(db, world, remote, make_csw, monkeypatch):
    serve_listing(remote, [land_use_record(), iso_record(1), iso_record(2)])
    make_csw()
    run_source(db, "geoportal")
    before = _catalog(db)

    def must_not_map(self, md):
        raise AssertionError("an unchanged record was mapped again")
    monkeypatch.setattr(CswHarvester, "map", must_not_map)     # the same XML is not even mapped
    report = run_source(db, "geoportal")
    assert report.status == "succeeded"
    assert (report.counters["unchanged"], report.counters["created"], report.counters["updated"]) == (3, 0, 0)
    assert _catalog(db) == before


def test_big_jobs_are_mapped_in_worker_processes_alike(db, world, remote, make_csw, monkeypatch):
    monkeypatch.setattr(CswHarvester, "parallel_after", 1)
    monkeypatch.setattr(base, "CHUNK", 2)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    pools = []
    start_pool = base.start_pool
    monkeypatch.setattr(base, "start_pool", lambda harvester: pools.append(start_pool(harvester)) or pools[-1])
    serve_listing(remote, [land_use_record(), iso_record(1), iso_record(2, identifier=None), iso_record(3)])
    make_csw()
    report = run_source(db, "geoportal")
    assert (report.status, report.counters["created"], report.counters["failed"]) == ("succeeded", 3, 1)
    assert len(pools) == 1
    (error,) = [e for e in report.errors if e["severity"] == "error"]      # the rest are warnings
    assert "gmd:fileIdentifier" in error["message"] and "测绘成果2" in error["snippet"]
    _state, doc = harvested_documents(db)[original(remote, LAND_USE)]
    assert doc["update_frequency"] == "annual" and len(doc["data_services"]) == 2


def test_changed_record_is_updated(db, world, remote, make_csw):
    serve_listing(remote, [iso_record(0), iso_record(1), iso_record(2)])
    make_csw()
    run_source(db, "geoportal")
    serve_listing(remote, [iso_record(0), iso_record(1, title="测绘成果1（修订版）", frequency="quarterly"),
                           iso_record(2)])
    report = run_source(db, "geoportal")
    assert (report.counters["updated"], report.counters["unchanged"]) == (1, 2), report.errors
    _state, doc = harvested_documents(db)[original(remote, "dataset-0001")]
    assert (doc["title"], doc["update_frequency"]) == ("测绘成果1（修订版）", "quarterly")


def test_vanished_record_is_withdrawn_after_a_complete_listing(db, world, remote, make_csw):
    serve_listing(remote, [iso_record(0), iso_record(1), iso_record(2)])
    make_csw()
    run_source(db, "geoportal")
    serve_listing(remote, [iso_record(0), iso_record(2)])
    report = run_source(db, "geoportal")
    assert report.status == "succeeded", report.error
    assert (report.counters["unchanged"], report.counters["withdrawn"]) == (2, 1)
    states = {k: state for k, (state, _d) in harvested_documents(db).items()}
    assert states == {original(remote, "dataset-0000"): "published", original(remote, "dataset-0001"): "withdrawn",
                      original(remote, "dataset-0002"): "published"}


def _harvest_four(db, remote, make_csw) -> tuple:
    serve_listing(remote, [iso_record(n) for n in range(4)])
    make_csw()
    assert run_source(db, "geoportal").counters["created"] == 4
    return _catalog(db)


BROKEN_SECOND_PAGES = {
    "http500": (dict(body=b"<html>Internal Server Error</html>", status=500), "HTTP 500"),
    "malformed": (dict(body=search_results([iso_record(2)], matched=4, next_record=0)[:-60]), "not well-formed"),
    "not_csw": (dict(body=b"<html><body>geoportal maintenance</body></html>"), "not a CSW 2.0.2 GetRecords answer"),
    "exception": (dict(body=(FIXTURES / "exception_report.xml").read_bytes()),
                  "InvalidParameterValue (outputSchema): Output schema"),
    "empty": (dict(body=search_results([], matched=4, next_record=0)), "returned no records although 4"),
    "short": (dict(body=search_results([iso_record(2)], matched=4, next_record=0)), "ends the listing at record 3"),
    "backwards": (dict(body=search_results([iso_record(2), iso_record(3)], matched=6, next_record=1)),
                  "paging loop"),
    "repeats": (dict(body=search_results([iso_record(0), iso_record(1)], matched=4, next_record=3)), "paging loop"),
    "same_records": (dict(body=search_results([iso_record(0), iso_record(1)], matched=6, next_record=5)),
                     "paging loop"),
}


@pytest.mark.parametrize("broken", sorted(BROKEN_SECOND_PAGES))
def test_broken_second_page_fails_the_job_and_withdraws_nothing(db, world, remote, make_csw, broken):
    before = _harvest_four(db, remote, make_csw)
    options, message = BROKEN_SECOND_PAGES[broken]
    serve_page(remote, 3, **options)
    report = run_source(db, "geoportal")
    assert report.status == "failed" and message in report.error, report.error
    assert report.counters["withdrawn"] == 0
    assert _catalog(db) == before
    assert len(remote.requests) == 4              # two pages before; the broken run stopped at its second


def test_first_page_update_lands_before_the_second_page_fails(db, world, remote, make_csw):
    before, _events = _harvest_four(db, remote, make_csw)
    serve_page(remote, 1, search_results([iso_record(0, title="测绘成果0（新）"), iso_record(1)], matched=4,
                                         next_record=3))
    serve_page(remote, 3, b"oops", status=500, content_type="text/plain")
    report = run_source(db, "geoportal")
    assert report.status == "failed" and report.counters["updated"] == 1
    after = harvested_documents(db)
    assert after[original(remote, "dataset-0000")][1]["title"] == "测绘成果0（新）"
    assert {k: v for k, v in after.items() if k != original(remote, "dataset-0000")} == \
        {k: v for k, v in before.items() if k != original(remote, "dataset-0000")}


def test_a_record_listed_again_on_the_last_page_is_a_duplicate_not_a_loop(db, world, remote, make_csw):
    serve_page(remote, 1, search_results([iso_record(0), iso_record(1)], matched=3, next_record=3))
    serve_page(remote, 3, search_results([iso_record(1)], matched=3, next_record=0))
    make_csw()
    report = run_source(db, "geoportal")
    assert report.status == "succeeded", report.error
    assert (report.counters["created"], report.counters["duplicates"]) == (2, 1)


def test_exception_report_is_a_clear_job_error(db, world, remote, make_csw):
    serve_page(remote, 1, (FIXTURES / "exception_report.xml").read_bytes())
    make_csw()
    report = run_source(db, "geoportal")
    assert report.status == "failed"
    assert "refused the request: InvalidParameterValue" in report.error and "csw:Record" in report.error
    assert harvested_documents(db) == {}


def test_exception_report_sent_with_an_error_status_says_why(db, world, remote, make_csw):
    serve_page(remote, 1, (FIXTURES / "exception_report.xml").read_bytes(), status=400)
    make_csw()
    report = run_source(db, "geoportal")
    assert report.status == "failed" and "HTTP 400" in report.error
    assert "InvalidParameterValue (outputSchema): Output schema" in report.error, report.error


DUBLIN_CORE = ('<csw:Record xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" '
               'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier>road-centre-lines</dc:identifier>'
               '<dc:title>道路中心线</dc:title></csw:Record>')
SECRET = ('<gmd:resourceConstraints><gmd:MD_SecurityConstraints><gmd:classification>'
          '<gmd:MD_ClassificationCode codeListValue="secret"/></gmd:classification>'
          '</gmd:MD_SecurityConstraints></gmd:resourceConstraints>')


def test_invalid_records_are_error_rows_and_valid_ones_land(db, world, remote, make_csw):
    serve_listing(remote, [iso_record(0), iso_record(1, identifier=None), DUBLIN_CORE,
                           iso_record(3, abstract=None), iso_record(4, extra=SECRET), iso_record(5)])
    make_csw()
    report = run_source(db, "geoportal")
    assert report.status == "succeeded", report.error
    assert (report.counters["created"], report.counters["failed"]) == (3, 3), report.errors
    harvested = harvested_documents(db)
    assert set(harvested) == {original(remote, f"dataset-000{n}") for n in (0, 3, 5)}
    # No abstract: kept, to be completed by the department; nothing is written in its place.
    assert harvested[original(remote, "dataset-0003")][0] == "incomplete"
    assert "description" not in harvested[original(remote, "dataset-0003")][1]
    errors = {e.record_id.rsplit("#", 1)[1]: e for e in _errors(db, report.job_id).values()}
    assert set(errors) == {"2", "3", "dataset-0004"}   # by position when there is no identifier
    assert errors["2"].stage == "fetch" and "gmd:fileIdentifier" in errors["2"].message
    assert "测绘成果1" in errors["2"].snippet
    assert errors["3"].stage == "fetch" and "csw:Record is not an ISO 19139 record" in errors["3"].message
    assert "道路中心线" in errors["3"].snippet
    assert errors["dataset-0004"].stage == "map" and "non-classified" in errors["dataset-0004"].message
    assert "dataset-0004" in errors["dataset-0004"].snippet


def test_slow_server_times_out_and_the_job_fails_cleanly(db, world, remote, make_csw):
    before = _harvest_four(db, remote, make_csw)
    serve_page(remote, 1, search_results([iso_record(0)], matched=1, next_record=0), delay=2)
    report = run_source(db, "geoportal", read_timeout=0.3)
    assert report.status == "failed" and "timed out" in report.error
    assert _catalog(db) == before


def test_enormous_response_is_cut_at_the_size_cap(db, world, remote, make_csw):
    before = _harvest_four(db, remote, make_csw)
    serve_page(remote, 3, b"", stream_bytes=8 * 1024 * 1024)
    report = run_source(db, "geoportal", max_bytes=1024 * 1024)
    assert report.status == "failed" and "cap" in report.error
    assert report.counters["withdrawn"] == 0 and _catalog(db) == before


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2">
 <csw:SearchResults numberOfRecordsMatched="1" numberOfRecordsReturned="1" nextRecord="0">
  <gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco">
   <gmd:fileIdentifier><gco:CharacterString>&lol3;</gco:CharacterString></gmd:fileIdentifier>
  </gmd:MD_Metadata>
 </csw:SearchResults>
</csw:GetRecordsResponse>"""


def external_entity(remote) -> bytes:
    """A page whose title would be read from elsewhere, if entities were resolved."""
    secret = remote.serve("/internal/secret.txt", b"internal-only-text", content_type="text/plain")
    record = iso_record(0, title="&ext;")
    return (f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY ext SYSTEM "{secret}">]>\n'.encode()
            + search_results([record], matched=1, next_record=0).split(b"?>", 1)[1])


@pytest.mark.parametrize("attack", ["billion_laughs", "external_entity"])
def test_entity_declarations_are_refused(db, world, remote, make_csw, attack):
    before = _harvest_four(db, remote, make_csw)
    serve_page(remote, 1, BILLION_LAUGHS if attack == "billion_laughs" else external_entity(remote))
    report = run_source(db, "geoportal")
    assert report.status == "failed" and "declares XML entities" in report.error
    assert report.counters["withdrawn"] == 0 and _catalog(db) == before
    assert not any(path.startswith("/internal/") for path, _headers in remote.requests)
