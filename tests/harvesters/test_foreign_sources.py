"""Sources that know nothing of the compilation guide, added with nothing but their department.

The corpus is shaped like what real publishers write (a German state portal in Turtle, a Dutch
municipality in JSON-LD, a Spanish council in RDF/XML, the same German page as N-Triples, a DSpace
repository over OAI-PMH; CKAN, data.json and ISO 19139 over a real pycsw have their own files).  For
every source the same promises hold: every record with a title arrives — published when complete, to
be completed otherwise, never public then — no value is invented (no release date, language or
sharing type the source did not give), the source's languages and publishers are kept, and every
value dropped is a warning row of the job.
"""
from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from sqlalchemy import select

from harvesters.models import HarvestError
from harvesters.services import run_source
from registry.resources.schemas import missing_fields
from tests.harvesters.conftest import harvested_resources

FIXTURES = Path(__file__).parent / "fixtures"
DCAT = FIXTURES / "dcat_portals"
GUIDE_ONLY = ("share_type", "share_method", "share_conditions", "share_basis", "data_items")


def german_as_ntriples() -> bytes:
    graph = ox.parse((DCAT / "de-state-portal.ttl").read_bytes(), format=ox.RdfFormat.TURTLE)
    return ox.serialize(graph, format=ox.RdfFormat.N_TRIPLES)


SOURCES = {   # name: (type, path served, body, content type, datasets with a title)
    "de-turtle": ("dcat", "/de.ttl", (DCAT / "de-state-portal.ttl").read_bytes(), "text/turtle", 2),
    "de-ntriples": ("dcat", "/de.nt", german_as_ntriples(), "application/n-triples", 2),
    "nl-jsonld": ("dcat", "/nl.jsonld", (DCAT / "nl-municipality.jsonld").read_bytes(), "application/ld+json", 1),
    "es-rdfxml": ("dcat", "/es.rdf", (DCAT / "es-city-council.rdf").read_bytes(), "application/rdf+xml", 2),
    "dspace": ("oaipmh", "/oai?verb=ListRecords&metadataPrefix=oai_dc",
               (FIXTURES / "oaipmh" / "dspace_page.xml").read_bytes(), "text/xml", None),
}


def dates_said(text: str) -> set[str]:
    """Every full date the source's text states, in ISO form (YYYY-MM-DD, D.M.YYYY, DD-MM-YYYY, YYYY/M/D)."""
    found = set(re.findall(r"\d{4}-\d{2}-\d{2}", text))
    found |= {f"{y}-{int(m):02d}-{int(d):02d}" for d, m, y in re.findall(r"\b(\d{1,2})[.-](\d{1,2})[.-](\d{4})\b", text)}
    found |= {f"{y}-{int(m):02d}-{int(d):02d}" for y, m, d in re.findall(r"\b(\d{4})/(\d{1,2})/(\d{1,2})\b", text)}
    return found


@pytest.mark.parametrize("name", SOURCES)
def test_every_titled_record_arrives_and_nothing_is_invented(db, world, remote, make_source, name):
    kind, path, body, content_type, expected = SOURCES[name]
    make_source(name, remote.serve(path, body, content_type=content_type), type=kind)     # only the department
    report = run_source(db, name)
    assert report.status == "succeeded", report.error
    assert report.counters["failed"] == 0, report.errors
    harvested = harvested_resources(db)
    if expected is not None:
        assert report.counters["created"] == len(harvested) == expected
    assert report.counters["created"] == len(harvested) > 0
    text = body.decode("utf-8")
    for original, (state, public, _version, doc) in harvested.items():
        lacking = missing_fields(doc) + ([] if doc.get("issued") else ["issued"])
        # Published when complete, to be completed otherwise — and then not public.
        assert (state, public) == (("incomplete", False) if lacking else ("published", True)), (original, lacking)
        assert report.counters["incomplete"] == sum(1 for s, *_r in harvested.values() if s == "incomplete")
        # Nothing invented: a release date only as the source gave it, no sharing terms at all.
        assert doc.get("issued") is None or doc["issued"] in dates_said(text), (original, doc.get("issued"))
        assert not set(GUIDE_ONLY) & set(doc), original
        # The source's language is kept: none of these sources writes Chinese.
        assert doc.get("title_lang", "zh") != "zh", original
        assert doc["provider"] == world.dept_a.credit_code
    with db.reader() as session:
        warnings = session.scalars(select(HarvestError).where(HarvestError.job_id == report.job_id,
                                                              HarvestError.severity == "warning")).all()
    assert len(warnings) == report.counters["warnings"]
    assert all(w.field and w.reason for w in warnings)
    summary = report.as_dict()["summary"]
    assert sum(g["count"] for g in summary["warnings"]) == report.counters["warnings"]
    assert {g["field"] for g in summary["to_complete"]} >= {"share_type"}


def test_the_german_portal_keeps_its_languages_publisher_and_english_title(db, world, remote, make_source):
    _kind, path, body, content_type, _n = SOURCES["de-turtle"]
    make_source("de", remote.serve(path, body, content_type=content_type))
    run_source(db, "de")
    doc = harvested_resources(db)["https://opendata.beispielland.example.de/dataset/no2-stundenwerte-2023"][3]
    assert doc["title"].startswith("Stickstoffdioxid") and doc["title_lang"] == "de"
    assert doc["title_en"].startswith("Nitrogen dioxide")
    assert doc["original_publisher"]["name"] and "lfu-luft-no2-2023" in doc["other_identifiers"]
