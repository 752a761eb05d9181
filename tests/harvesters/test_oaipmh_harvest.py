"""An OAI-PMH repository harvested end to end from a local server: paging, deletions, errors, hostile XML."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import func, select

from harvesters.models import HarvestError, HarvestJob
from harvesters.services import run_source
from registry.audit.models import AuditEvent
from tests.harvesters.conftest import Route, harvested_resources

FIXTURES = Path(__file__).parent / "fixtures" / "oaipmh"
PAGE1, PAGE2 = ((FIXTURES / name).read_bytes() for name in ("page1.xml", "page2.xml"))
TOKEN = "env|2024-06-01|100"
FIRST = "/oai?verb=ListRecords&metadataPrefix=oai_dc&set=env"
SECOND = "/oai?verb=ListRecords&resumptionToken=" + quote(TOKEN, safe="")
WATER, DELETED, EMISSION = (f"oai:repo.example.gov.cn:env/{n}" for n in ("2023-0007", "2019-0001", "2023-0012"))
SOIL = "oai:repo.example.gov.cn:env/2024-0003"
DEFAULTS = {"classification": "102", "format_class": "electronic_file", "share_type": "unconditional",
            "share_method": "platform_file", "open_type": "unconditional", "update_frequency": "annual"}
ENVELOPE = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2024-06-01T02:00:00Z</responseDate>'
            '<request verb="ListRecords">https://repo.example.gov.cn/oai</request>{}</OAI-PMH>')


@pytest.fixture
def make_oai(make_source, remote):
    def make(name: str = "repo", query: str = "?set=env", **options):
        options.setdefault("defaults", DEFAULTS)
        make_source(name, f"{remote.url}/oai{query}", type="oaipmh", **options)
    return make


def serve(remote, path: str, body: bytes | str, **options) -> None:
    body = body.encode("utf-8") if isinstance(body, str) else body
    remote.serve(path, body, **{"content_type": "text/xml; charset=utf-8", **options})


def serve_fixture(remote) -> None:
    serve(remote, FIRST, PAGE1)
    serve(remote, SECOND, PAGE2)


def record(identifier: str, title: str | None = "数据集", *, deleted: bool = False, **dc) -> str:
    """One ``<record>``; ``dc`` holds further Dublin Core elements (a list for repeated ones)."""
    status = ' status="deleted"' if deleted else ""
    header = f"<header{status}><identifier>{escape(identifier)}</identifier><datestamp>2024-06-01</datestamp></header>"
    if deleted:
        return f"<record>{header}</record>"
    fields = {"title": title, "description": f"{title}的说明。" if title else None, **dc}
    elements = "".join(f"<dc:{name}>{escape(value)}</dc:{name}>" for name, values in fields.items()
                       for value in (values if isinstance(values, list) else [values]) if value is not None)
    return (f'<record>{header}<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
            f'xmlns:dc="http://purl.org/dc/elements/1.1/">{elements}</oai_dc:dc></metadata></record>')


def page(*records: str, token: str | None = None) -> str:
    resumption = f"<resumptionToken>{escape(token)}</resumptionToken>" if token else ""
    return ENVELOPE.format(f"<ListRecords>{''.join(records)}{resumption}</ListRecords>")


def oai_error(code: str, text: str = "") -> str:
    return ENVELOPE.format(f'<error code="{code}">{escape(text)}</error>')


def _state(db) -> tuple:
    """Everything a broken run must leave as it was."""
    with db.reader() as session:
        return harvested_resources(db), session.scalar(select(func.count()).select_from(AuditEvent))


def test_two_pages_are_harvested_with_the_set_and_deleted_records_are_skipped(db, world, remote, make_oai):
    serve_fixture(remote)
    make_oai()
    report = run_source(db, "repo")
    assert report.status == "succeeded", report.error
    assert (report.counters["created"], report.counters["failed"]) == (3, 0), report.errors
    # The set goes with the first request; the token alone with the next (it is an exclusive argument).
    assert [path for path, _h in remote.requests] == [FIRST, SECOND]
    harvested = harvested_resources(db)
    assert set(harvested) == {WATER, EMISSION, SOIL}          # the deleted record is not created
    assert all(state == "published" for state, *_rest in harvested.values())
    water = harvested[WATER][3]
    assert (water["title"], water["title_en"]) == ("2023年全省水环境质量状况公报",
                                                   "Provincial Water Environment Quality Bulletin 2023")
    assert water["description"] == "全省主要河流、湖库断面水质监测结果。\n\n附各设区市断面达标情况。"
    assert sorted(water["keywords"]) == ["地表水", "水环境", "水质监测"]
    assert (water["issued"], water["spatial"], water["license"]) == ("2024-03-15", "330000", "CC-BY-4.0")
    assert water["language"] == ["zh"]
    assert water["distributions"] == [{"access_url": "https://repo.example.gov.cn/files/water-2023.pdf",
                                       "download_url": "https://repo.example.gov.cn/files/water-2023.pdf",
                                       "media_type": "application/pdf"}]
    # The publisher is the source's; the provider stays the source's department.
    assert (water["provider"], water["original_publisher"]) == (world.dept_a.credit_code, {"name": "省生态环境厅"})
    assert "provider_unit" not in water
    assert (water["title_lang"], water["description_lang"]) == ("", "")      # untagged at the source
    assert (water["classification"], water["update_frequency"]) == ("102", "annual")      # the defaults
    emission = harvested[EMISSION][3]
    assert (emission["spatial"], emission["issued"]) == ("330100", "2023-11-30")
    assert "original_publisher" not in emission           # a creator is an author, not the publisher
    assert emission["license"] == "仅限非商业用途，引用请注明来源。"
    soil = harvested[SOIL][3]
    assert soil["landing_page"] == "https://repo.example.gov.cn/records/2024-0003"
    assert [d["access_url"] for d in soil["distributions"]] == ["https://repo.example.gov.cn/files/soil-units.xlsx"]
    assert soil["language"] == ["zh"] and "media_type" not in soil["distributions"][0]


def test_other_query_parameters_of_the_address_go_with_every_request(db, world, remote, make_oai):
    serve(remote, "/oai?key=k1&verb=ListRecords&metadataPrefix=oai_dc", page(record("oai:x:1"), token="t2"))
    serve(remote, "/oai?key=k1&verb=ListRecords&resumptionToken=t2", page(record("oai:x:2")))
    make_oai(query="?key=k1&verb=Identify")
    report = run_source(db, "repo")
    assert (report.status, report.counters["created"]) == ("succeeded", 2), report.error


def test_second_run_writes_nothing(db, world, remote, make_oai):
    serve_fixture(remote)
    make_oai()
    run_source(db, "repo")
    before = _state(db)
    report = run_source(db, "repo")
    assert report.status == "succeeded"
    assert (report.counters["unchanged"], report.counters["created"], report.counters["updated"]) == (3, 0, 0)
    assert _state(db) == before


def test_changed_record_is_updated_and_deleted_or_vanished_ones_withdrawn(db, world, remote, make_oai):
    serve(remote, FIRST, page(record(WATER, "水环境公报"), record(EMISSION, "排放清单"), record(DELETED, "旧公报")))
    make_oai()
    assert run_source(db, "repo").counters["created"] == 3
    serve(remote, FIRST, page(record(WATER, "水环境公报（修订）"), record(DELETED, deleted=True), token="more"))
    serve(remote, "/oai?verb=ListRecords&resumptionToken=more", page(token=""))
    report = run_source(db, "repo")
    assert report.status == "succeeded", report.error
    assert (report.counters["updated"], report.counters["withdrawn"], report.counters["created"]) == (1, 2, 0)
    harvested = harvested_resources(db)
    assert harvested[WATER][3]["title"] == "水环境公报（修订）" and harvested[WATER][2] == 2
    assert harvested[DELETED][:2] == ("withdrawn", False)      # deleted at the source
    assert harvested[EMISSION][:2] == ("withdrawn", False)     # no longer listed


def _harvest_fixture_then(db, remote, make_oai) -> tuple:
    serve_fixture(remote)
    make_oai()
    run_source(db, "repo")
    return _state(db)


@pytest.mark.parametrize("second, message", [
    (dict(body=b"Internal Server Error", status=500, content_type="text/plain"), "HTTP 500"),
    (dict(body=oai_error("badResumptionToken", "The token has expired.")), "badResumptionToken: The token has expired"),
    (dict(body=PAGE2[:300]), "not well-formed XML"),
    (dict(body=b"<html><body>Maintenance</body></html>"), "not an OAI-PMH answer"),
    (dict(body=ENVELOPE.format('<GetRecord/>')), "not a ListRecords answer"),
], ids=["http500", "bad-token", "truncated", "html", "wrong-verb"])
def test_page_two_broken_fails_the_job_and_withdraws_nothing(db, world, remote, make_oai, second, message):
    before = _harvest_fixture_then(db, remote, make_oai)
    changed = PAGE1.replace("2023年全省水环境质量状况公报".encode(), "水环境公报（修订）".encode())
    serve(remote, FIRST, changed)
    serve(remote, SECOND, **second)
    report = run_source(db, "repo")
    assert report.status == "failed" and message in report.error
    assert report.counters["withdrawn"] == 0
    harvested, _events = _state(db)
    assert harvested[WATER][3]["title"] == "水环境公报（修订）"      # what page 1 held was taken
    assert {k: v for k, v in harvested.items() if k != WATER} == {k: v for k, v in before[0].items() if k != WATER}
    with db.reader() as session:
        assert session.get(HarvestJob, report.job_id).status == "failed"


def test_repeated_resumption_token_is_a_paging_loop(db, world, remote, make_oai):
    serve(remote, FIRST, page(record("oai:x:1"), token="a"))
    serve(remote, "/oai?verb=ListRecords&resumptionToken=a", page(record("oai:x:2"), token="b"))
    serve(remote, "/oai?verb=ListRecords&resumptionToken=b", page(record("oai:x:3"), token="a"))
    make_oai()
    report = run_source(db, "repo")
    assert report.status == "failed" and "paging loop" in report.error
    assert len(remote.requests) == 3


def test_no_records_match_is_an_empty_listing_that_withdraws_nothing(db, world, remote, make_oai):
    serve(remote, FIRST, oai_error("noRecordsMatch", "The set is empty."))
    make_oai()
    report = run_source(db, "repo")
    assert (report.status, report.counters["created"]) == ("succeeded", 0), report.error
    serve_fixture(remote)
    run_source(db, "repo")
    before = _state(db)
    serve(remote, FIRST, oai_error("noRecordsMatch"))
    report = run_source(db, "repo")
    assert report.status == "failed" and "listed no records" in report.error
    assert _state(db) == before


def test_other_protocol_error_fails_the_job(db, world, remote, make_oai):
    serve(remote, FIRST, oai_error("cannotDisseminateFormat", "oai_dc is not supported"))
    make_oai()
    report = run_source(db, "repo")
    assert report.status == "failed" and "cannotDisseminateFormat" in report.error


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE OAI-PMH [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
    '<!DOCTYPE OAI-PMH [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',
], ids=["entity-expansion", "external-entity"])
def test_documents_declaring_entities_are_refused(db, world, remote, make_oai, doctype):
    body = page(record("oai:x:1", "&c;" if "ENTITY c" in doctype else "&secret;"))
    body = body.replace("<OAI-PMH", doctype + "<OAI-PMH", 1).replace("&amp;", "&")
    serve(remote, FIRST, body)
    make_oai()
    report = run_source(db, "repo")
    assert report.status == "failed" and "declares XML entities" in report.error
    assert harvested_resources(db) == {}


def test_bad_records_are_error_rows_and_the_valid_ones_land(db, world, remote, make_oai):
    no_identifier = record("  ", "没有标识的记录")
    no_metadata = '<record><header><identifier>oai:x:bare</identifier></header></record>'
    serve(remote, FIRST, page(record("oai:x:good", "完好的记录"), no_identifier, record("oai:x:untitled", None),
                              no_metadata, record("oai:x:bad-date", "日期错误", date="2024-02-30"),
                              record("oai:x:good", "同一标识再次出现")))
    make_oai()
    report = run_source(db, "repo")
    assert report.status == "succeeded", report.error
    assert (report.counters["created"], report.counters["failed"], report.counters["duplicates"]) == (2, 3, 1)
    # A date that is no date costs the record only its date, with a warning; the record is kept.
    assert set(harvested_resources(db)) == {"oai:x:good", "oai:x:bad-date"}
    assert "issued" not in harvested_resources(db)["oai:x:bad-date"][3]
    with db.reader() as session:
        errors = {e.record_id: e for e in session.scalars(select(HarvestError).where(
            HarvestError.job_id == report.job_id, HarvestError.severity == "error"))}
        warnings = {e.record_id: e for e in session.scalars(select(HarvestError).where(
            HarvestError.job_id == report.job_id, HarvestError.severity == "warning"))}
    missing = errors[f"{remote.url}{FIRST}#record-2"]
    assert missing.stage == "fetch" and "without a header identifier" in missing.message
    assert "没有标识的记录" in missing.snippet
    assert errors["oai:x:untitled"].stage == "map" and "title" in errors["oai:x:untitled"].message
    assert "oai:x:untitled" in errors["oai:x:untitled"].snippet
    assert errors["oai:x:bare"].stage == "fetch" and "no oai_dc metadata" in errors["oai:x:bare"].message
    assert "oai:x:bad-date" not in errors and "issued" in warnings["oai:x:bad-date"].message
    assert "listed twice" in errors["oai:x:good"].message


def test_slow_server_times_out_and_the_job_fails_cleanly(db, world, remote, make_oai):
    before = _harvest_fixture_then(db, remote, make_oai)
    serve(remote, SECOND, PAGE2, delay=2)
    report = run_source(db, "repo", read_timeout=0.3)
    assert report.status == "failed" and "timed out" in report.error
    assert report.counters["withdrawn"] == 0 and _state(db) == before


def test_enormous_response_is_cut_at_the_size_cap(db, world, remote, make_oai):
    before = _harvest_fixture_then(db, remote, make_oai)
    remote.serve(SECOND, stream_bytes=8 * 1024 * 1024, content_type="text/xml")
    report = run_source(db, "repo", max_bytes=1024 * 1024)
    assert report.status == "failed" and "cap" in report.error
    assert _state(db) == before


def test_a_busy_repository_is_asked_again_when_it_says_to(db, world, remote, make_oai):
    # OAI-PMH flow control: 503 with Retry-After, then the page.
    serve(remote, FIRST, PAGE1)
    remote.serve(SECOND, b"busy", status=503, content_type="text/plain", headers={"Retry-After": "0"},
                 then=Route(PAGE2, content_type="text/xml; charset=utf-8"))
    make_oai()
    report = run_source(db, "repo")
    assert report.status == "succeeded", report.error
    assert report.counters["created"] == 3
    assert [path for path, _h in remote.requests] == [FIRST, SECOND, SECOND]


def test_a_repository_busy_for_longer_than_a_harvest_waits_fails_the_job_and_says_so(db, world, remote, make_oai):
    serve(remote, FIRST, PAGE1)
    remote.serve(SECOND, b"busy", status=503, content_type="text/plain", headers={"Retry-After": "86400"})
    make_oai()
    report = run_source(db, "repo")
    assert report.status == "failed" and "HTTP 503" in report.error and "asked to wait 86400 s" in report.error
    assert report.counters["withdrawn"] == 0


def listing(*records: str, token: str, size: int) -> str:
    """A page whose resumption token announces the list's size (as pycsw and most repositories write it)."""
    resumption = f'<resumptionToken completeListSize="{size}" cursor="0">{escape(token)}</resumptionToken>'
    return ENVELOPE.format(f"<ListRecords>{''.join(records)}{resumption}</ListRecords>")


def test_a_server_wanting_the_prefix_with_the_token_and_never_ending_it_is_listed_once(db, world, remote, make_oai):
    # pycsw's way: the token alone is refused, and the last page's token "0" starts the list over.
    first, resume = "/oai?verb=ListRecords&metadataPrefix=oai_dc", "/oai?verb=ListRecords&resumptionToken="
    serve(remote, first, listing(record("a-1"), record("a-2"), token="3", size=3))
    serve(remote, resume + "3", oai_error("badArgument", "Missing metadataPrefix parameter"))
    serve(remote, resume + "3&metadataPrefix=oai_dc", listing(record("a-3"), token="0", size=3))
    serve(remote, resume + "0&metadataPrefix=oai_dc", listing(record("a-1"), record("a-2"), token="3", size=3))
    make_oai(query="")
    report = run_source(db, "repo")
    assert report.status == "succeeded", report.error
    assert (report.counters["created"], report.counters["duplicates"]) == (3, 0), report.errors
    assert [path for path, _h in remote.requests] == [first, resume + "3", resume + "3&metadataPrefix=oai_dc",
                                                      resume + "0&metadataPrefix=oai_dc"]


def test_records_repeated_before_the_announced_size_is_reached_are_still_a_loop(db, world, remote, make_oai):
    first, resume = "/oai?verb=ListRecords&metadataPrefix=oai_dc", "/oai?verb=ListRecords&resumptionToken="
    serve(remote, first, listing(record("a-1"), record("a-2"), token="3", size=10))
    serve(remote, resume + "3", listing(record("a-3"), token="0", size=10))
    serve(remote, resume + "0", listing(record("a-1"), record("a-2"), token="3", size=10))
    make_oai(query="")
    report = run_source(db, "repo")
    assert report.status == "failed" and "paging loop" in report.error
    assert report.counters["withdrawn"] == 0


def test_a_repository_page_keeps_languages_publisher_and_addresses(db, world, remote, make_oai):
    first = "/oai?verb=ListRecords&metadataPrefix=oai_dc&set=col_20.500.11780_7"
    serve(remote, first, (FIXTURES / "dspace_page.xml").read_bytes())
    make_oai(query="?set=col_20.500.11780_7")
    report = run_source(db, "repo")
    assert report.status == "succeeded", report.error
    assert [path for path, _h in remote.requests] == [first]          # an empty token ends the list
    harvested = harvested_resources(db)
    state, _public, _version, doc = harvested["oai:repository.uni-beispiel.example:20.500.11780/1234"]
    assert state == "published"
    assert (doc["title_lang"], doc["description_lang"], doc["original_publisher"]) == (
        "de", "de", {"name": "Universität Beispielstadt"})
    assert doc["landing_page"] == "https://hdl.handle.net/20.500.11780/1234"
    assert (doc["license"], doc["open_type"]) == ("CC-BY-4.0", "unconditional")
    assert doc["provider"] == world.dept_a.credit_code
    _state_cz, _p, _v, air = harvested["oai:data.mesto.example.cz:ovzdusi-2022"]
    assert (air["title_lang"], air["issued"]) == ("cs", "2023-06-30")
    assert "oai:repository.uni-beispiel.example:20.500.11780/0999" not in harvested     # deleted at the source
