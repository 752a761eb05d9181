"""A real catalogue server, pycsw, harvested over CSW (ISO 19139) and OAI-PMH (Dublin Core).

``scripts/test`` starts pycsw with the records of ``fixtures/pycsw`` (geoportal records from Germany,
the Netherlands, England, France and China) and sets ``GOVCAT_TEST_PYCSW_URL``; pycsw pages them
three at a time.  Without it these tests are skipped — loudly, in the summary — and with
``GOVCAT_REQUIRE_ENGINES=1`` they fail.  The sources are added with nothing but their department:
the tests read the documents of the map stage (what the core then completes from defaults or
keeps as to be completed is the core's business).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from lxml import etree

from harvesters.iso19139 import map_record
from harvesters.services import get_source, harvester_class, run_source
from tests.conftest import require_engine
from tests.harvesters.conftest import check_foreign_harvest, harvested_documents

PYCSW_URL = os.environ.get("GOVCAT_TEST_PYCSW_URL")
RECORDS = Path(__file__).parent / "fixtures" / "pycsw"
GERMAN, DUTCH, ENGLISH, FRENCH, CHINESE = (
    "7d1c0b5e-3a42-4f0e-9b1d-5e2f8a6c4d10", "c4a7e2d9-1b6f-4e38-8d05-93f1a6b2e7c4", "flood-zones-riverside-2024",
    "FR-217500016-stations-velo", "3f6a9c2e-58b1-4d7e-9a41-0c2d7e5b1f03")
DEFAULTS = {"classification": "102", "format_class": "electronic_file", "share_type": "unconditional",
            "share_method": "platform_file", "update_frequency": "irregular", "open_type": "unconditional"}


@pytest.fixture
def pycsw() -> str:
    require_engine(("pycsw",), bool(PYCSW_URL),
                   "pycsw harvest tests skipped: GOVCAT_TEST_PYCSW_URL is not set (scripts/test sets it)")
    return PYCSW_URL


def mapped_documents(db, name: str) -> dict:
    """original identifier → the map stage's document, for every record the source lists."""
    with db.reader() as session:
        source = get_source(session, name)
        session.expunge(source)
    harvester = harvester_class(source.type)(db, source)
    try:
        return {listed.original_id: harvester.map(harvester.fetch(listed)) for listed in harvester.gather()}
    finally:
        harvester.close()


def file_identifier(path: Path) -> str:
    root = etree.parse(str(path)).getroot()
    return root.findtext("{*}fileIdentifier/{*}CharacterString").strip()


def test_iso_records_served_by_csw_map_as_the_records_say(db, world, make_source, pycsw):
    make_source("geoportal", pycsw, type="csw")                          # nothing but the department
    docs = mapped_documents(db, "geoportal")
    files = {f"{pycsw}#{file_identifier(path)}": path for path in RECORDS.glob("*.xml")}
    assert set(docs) == set(files)                                     # every page listed, once
    for original_id, path in files.items():                            # the server changed nothing that maps
        assert docs[original_id] == map_record(etree.parse(str(path)).getroot()), path.name

    german = docs[f"{pycsw}#{GERMAN}"]
    assert (german["title_lang"], german["description_lang"], german["original_publisher"]) == (
        "de", "de", {"name": "Stadt Lindenau"})
    assert (german["issued"], german["open_type"]) == ("2021-03-15", "unconditional")
    assert german["landing_page"] == "https://www.lindenau.example.de/bauen/bebauungsplaene/nr-17"
    dutch = docs[f"{pycsw}#{DUTCH}"]
    assert (dutch["open_type"], dutch["license"], dutch["title_lang"]) == ("conditional", "CC0-1.0", "nl")
    english = docs[f"{pycsw}#{ENGLISH}"]
    assert "description" not in english and english["open_type"] == "conditional"
    assert [w["field"] for w in english["_warnings"]] == ["issued", "license"]
    assert docs[f"{pycsw}#{FRENCH}"]["landing_page"] == "https://data.valmont.example.fr/explore/dataset/stations-velo/"
    assert docs[f"{pycsw}#{CHINESE}"]["title_lang"] == "zh"
    # What the records do not say is not in the documents: the core fills it, or asks for it.
    assert not any(key in doc for doc in docs.values()
                   for key in ("classification", "format_class", "share_type", "provider", "provider_unit"))


def test_a_csw_harvest_job_lists_the_whole_catalogue(db, world, make_source, pycsw):
    make_source("geoportal", pycsw, type="csw", defaults=DEFAULTS)
    report = run_source(db, "geoportal")
    assert report.status == "succeeded", report.error
    assert not any(e["stage"] in ("gather", "fetch") for e in report.errors), report.errors
    harvested = harvested_documents(db)
    state, german = harvested[f"{pycsw}#{GERMAN}"]
    assert state == "published" and german["title_lang"] == "de"
    assert german["provider"] == world.dept_a.credit_code
    _state, dutch = harvested[f"{pycsw}#{DUTCH}"]
    assert dutch["open_type"] == "conditional"                        # the record's restriction, not the default
    assert run_source(db, "geoportal").counters["created"] == 0       # a second run creates nothing


def test_dublin_core_served_by_oai_pmh_maps_as_the_records_say(db, world, make_source, pycsw):
    make_source("repository", f"{pycsw}?mode=oaipmh", type="oaipmh")
    docs = mapped_documents(db, "repository")
    # pycsw asks for the prefix beside its tokens and never gives an empty one: still each record once.
    assert set(docs) == {file_identifier(path) for path in RECORDS.glob("*.xml")}

    german = docs[GERMAN]
    assert german["title"] == 'Bebauungsplan Nr. 17 "Am Mühlbach" der Stadt Lindenau'
    assert german["title_lang"] == ""                                  # Dublin Core did not say: untagged
    assert german["description"].startswith("Rechtskräftiger Bebauungsplan")    # its dct:abstract
    assert german["original_publisher"] == {"name": "Stadt Lindenau"}
    assert german["distributions"] == [{
        "access_url": "https://geoportal.lindenau.example.de/download/bplan_17_muehlbach.gml",
        "download_url": "https://geoportal.lindenau.example.de/download/bplan_17_muehlbach.gml"}]
    assert [s["endpoint_description"] for s in german["data_services"]] == ["OGC:WMS-1.3.0-http-get-capabilities"]
    assert german["landing_page"] == "https://www.lindenau.example.de/bauen/bebauungsplaene/nr-17"
    assert german["other_identifiers"] == [GERMAN]
    assert "license" not in german and {"field": "license", "reason": "an ISO restriction code is not a licence",
                                        "value": "otherRestrictions"} in german["_warnings"]
    assert "description" not in docs[FRENCH] and docs[FRENCH]["title"] == "Stations de vélos en libre-service"


def test_an_oai_pmh_harvest_job_lists_the_whole_repository(db, world, make_source, pycsw):
    make_source("repository", f"{pycsw}?mode=oaipmh", type="oaipmh", defaults=DEFAULTS)
    report = run_source(db, "repository")
    assert report.status == "succeeded", report.error
    assert report.counters["duplicates"] == 0 and not any(e["stage"] in ("gather", "fetch") for e in report.errors)
    state, german = harvested_documents(db)[GERMAN]
    assert state == "published" and german["original_publisher"] == {"name": "Stadt Lindenau"}



def test_a_geoportal_added_with_only_its_department_brings_every_record_in(db, world, make_source, pycsw):
    make_source("geoportal", pycsw, type="csw")
    report = run_source(db, "geoportal")
    text = "\n".join(path.read_text(encoding="utf-8") for path in RECORDS.glob("*.xml"))
    harvested = check_foreign_harvest(db, report, world, text, chinese={f"{pycsw}#{CHINESE}"})
    assert len(harvested) == len(list(RECORDS.glob("*.xml")))
    german = harvested[f"{pycsw}#{GERMAN}"][3]
    assert german["original_publisher"] == {"name": "Stadt Lindenau"} and german["issued"] == "2021-03-15"
