"""DCAT sources as publishers write them: ckanext-dcat's Hydra paging, DCAT-AP 3 and DCAT-US 3 JSON-LD with
the contexts they name by address (shipped with govcat, never fetched)."""
from __future__ import annotations

from pathlib import Path

import pytest

from harvesters.base import JobFailure
from harvesters.contexts import known_context
from harvesters.dcat import Paging, parse_page
from harvesters.services import run_source

FIXTURES = Path(__file__).parent / "fixtures" / "dcat"
# What a foreign DCAT source does not say and govcat requires.
DEFAULTS = {"classification": "102", "format_class": "electronic_file", "share_type": "unconditional",
            "share_method": "platform_file", "open_type": "unconditional", "update_frequency": "irregular",
            "description": "（来源未提供摘要）"}


def fixture(name: str, base: str) -> bytes:
    return (FIXTURES / name).read_text("utf-8").replace("{base}", base).encode("utf-8")


def listed_ids(db, report) -> set[str]:
    """Every dataset the job listed: those it harvested and those it reported (the listing is what is tested)."""
    from tests.harvesters.conftest import harvested_resources
    return set(harvested_resources(db)) | {e["record_id"] for e in report.errors}


@pytest.mark.parametrize("extension, content_type", [("rdf", "application/rdf+xml"), ("ttl", "text/turtle")])
def test_ckan_catalog_pages_follow_the_next_page_given_as_a_literal(db, world, remote, make_source,
                                                                    extension, content_type):
    # ckanext-dcat: a hydra:PagedCollection named by the page's address, hydra:nextPage (and hydra:next)
    # as plain string literals; the last page names no next page.
    for page in (1, 2):
        remote.serve(f"/catalog.{extension}?page={page}", fixture(f"ckan-page-{page}.{extension}", remote.url),
                     content_type=content_type)
    make_source("ckan-rdf", f"{remote.url}/catalog.{extension}?page=1", defaults=DEFAULTS)
    report = run_source(db, "ckan-rdf")
    assert report.status == "succeeded", report.error
    assert [path for path, _headers in remote.requests] == [f"/catalog.{extension}?page=1",
                                                             f"/catalog.{extension}?page=2"]
    assert listed_ids(db, report) == {f"{remote.url}/dataset/{uuid}" for uuid in (
        "8c1f0e4a-1d2b-4c52-9a57-0b1d3c2e9f10", "1e6d7a30-55c9-4e0e-8d43-6a3f2b1c0d21",
        "5b9e2c11-0f3a-4d7e-b6a1-c2d3e4f5a6b7")}
    assert report.counters["created"] + report.counters["failed"] == 3


def test_partial_collection_view_pages_a_dcat_ap_3_catalogue_in_json_ld(db, world, remote, make_source):
    # DCAT-AP 3 JSON-LD naming SEMIC's examples context by address, in a list with an inline one; the
    # collection's hydra:view is a PartialCollectionView whose hydra:next is an IRI.
    for page in (1, 2):
        remote.serve(f"/catalogue.jsonld?page={page}", fixture(f"dcat-ap-3-page-{page}.jsonld", remote.url),
                     content_type="application/ld+json")
    make_source("semic", f"{remote.url}/catalogue.jsonld?page=1", defaults=DEFAULTS)
    report = run_source(db, "semic")
    assert report.status == "succeeded", report.error
    assert len(remote.requests) == 2          # the two pages, and no context fetched from anywhere
    assert listed_ids(db, report) == {f"{remote.url}/id/dataset/{name}" for name in ("bodenkarte", "pegel",
                                                                                      "luftbilder")}


def test_dcat_ap_3_examples_context_reads_language_maps_and_dates():
    page = parse_page(fixture("dcat-ap-3-page-1.jsonld", "http://x.example"), "json-ld",
                      "http://x.example/catalogue.jsonld?page=1")
    record = page.record("<http://x.example/id/dataset/pegel>")
    assert '<http://purl.org/dc/terms/title> "Pegelstände der Fließgewässer"@de' in record
    assert '<http://purl.org/dc/terms/issued> "2020-01-15"^^<http://www.w3.org/2001/XMLSchema#date>' in record
    # The distribution (named by IRI, described beside the dataset) travels with the record.
    assert "<http://www.w3.org/ns/dcat#downloadURL> <http://x.example/download/pegel.csv>" in record


@pytest.mark.parametrize("name, dataset, expected", [
    ("dcat-ap-3-release-context.jsonld", "/id/dataset/verkehrszaehlung",
     ['<http://purl.org/dc/terms/title> "Traffic counts on federal roads"@en',
      "<http://www.w3.org/ns/dcat#downloadURL> <http://x.example/download/zaehlung.csv>"]),
    ("dcat-us-3.jsonld", "/dataset/permits",
     ['<http://purl.org/dc/terms/title> "Permisos de construcción"@es',
      "<http://www.w3.org/ns/dcat#landingPage> <http://x.example/permits>",
      "<http://www.w3.org/ns/dcat#accessURL> <http://x.example/api/permits>"]),
    ("dcat-us-3.jsonld", "/dataset/road-closures",
     ['<http://purl.org/dc/terms/identifier> "CTY-TRN-0042"',
      '<http://xmlns.com/foaf/0.1/name> "Department of Public Works"',
      "<http://www.w3.org/2006/vcard/ns#hasEmail> <mailto:gis@county.example.gov>"]),
])
def test_shipped_contexts_stand_for_the_addresses_documents_name(name, dataset, expected):
    page = parse_page(fixture(name, "http://x.example"), "json-ld", "http://x.example/catalog.jsonld")
    record = page.record(f"<http://x.example{dataset}>")
    for statement in expected:
        assert statement in record


def test_known_context_addresses_with_either_scheme():
    for address in ("https://semiceu.github.io/DCAT-AP/releases/3.0.0/context/dcat-ap.jsonld",
                    "http://semiceu.github.io/DCAT-AP/releases/3.0.1/context/dcat-ap.jsonld",
                    "https://raw.githubusercontent.com/DOI-DO/dcat-us/refs/heads/main/context/dcat-us-3.0.jsonld"):
        assert known_context(address)["Dataset"] == "http://www.w3.org/ns/dcat#Dataset"
    assert known_context("https://schema.org/") is None


def test_any_other_remote_context_fails_the_job_naming_it(db, world, remote, make_source):
    body = b'{"@context": "https://contexts.example.org/catalog.jsonld", "@id": "http://x/1", "title": "t"}'
    make_source("remote-ctx", remote.serve("/catalog.jsonld", body, content_type="application/ld+json"))
    report = run_source(db, "remote-ctx")
    assert report.status == "failed"
    assert "https://contexts.example.org/catalog.jsonld" in report.error and "not fetched" in report.error
    with pytest.raises(JobFailure, match="not fetched"):    # also inside a list, beside a shipped one
        parse_page(b'{"@context": ["https://semiceu.github.io/DCAT-AP/releases/3.0.0/context/dcat-ap.jsonld", '
                   b'"http://169.254.169.254/x"], "@id": "http://x/1"}', "json-ld", "http://x/c.jsonld")


def _paging(lines: list[tuple[str, str, str]], url: str = "http://x.example/c?page=1") -> str | None:
    paging = Paging(url)
    for subject, predicate, obj in lines:
        paging.read(subject, f"{predicate} {obj}", predicate, obj)
    return paging.next_page()


HYDRA = "http://www.w3.org/ns/hydra/core#"
A = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def test_next_page_forms():
    page = "<http://x.example/c?page=1>"
    # A relative literal, typed xsd:anyURI, is resolved against the page.
    assert _paging([(page, f"<{HYDRA}next>", '"?page=2"^^<http://www.w3.org/2001/XMLSchema#anyURI>')]) \
        == "http://x.example/c?page=2"
    # A next page that is the page itself ends the listing instead of looping.
    assert _paging([(page, f"<{HYDRA}nextPage>", '"http://x.example/c?page=1"')]) is None
    # The paging node's next page wins over a hydra:next said of something else on the page.
    assert _paging([("_:other", f"<{HYDRA}next>", "<http://x.example/a>"),
                    ("_:view", A, f"<{HYDRA}PartialCollectionView>"),
                    ("_:view", f"<{HYDRA}next>", "<http://x.example/c?page=2>")]) == "http://x.example/c?page=2"
    # A view named by hydra:view counts as a paging node even untyped.
    assert _paging([("<http://x.example/coll>", f"<{HYDRA}view>", "_:v"),
                    ("_:x", f"<{HYDRA}next>", "<http://x.example/z>"),
                    ("_:v", f"<{HYDRA}next>", "<http://x.example/c?page=3>")]) == "http://x.example/c?page=3"
    # Not an http(s) address: no next page.
    assert _paging([(page, f"<{HYDRA}next>", '"mailto:someone@example.org"')]) is None
