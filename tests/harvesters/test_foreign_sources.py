"""Sources that know nothing of the compilation guide, added with nothing but their department.

The corpus is shaped like what real publishers write (a German state portal in Turtle, a Dutch
municipality in JSON-LD, a Spanish council in RDF/XML, the same German page as N-Triples, US agencies' data.json files in
DCAT-US 1.1 and 3.0, a DSpace repository over OAI-PMH; CKAN portals and ISO 19139 over a real pycsw
have their own files).  For
every source the same promises hold: every record with a title arrives — published when complete, to
be completed otherwise, never public then — no value is invented (no release date, language or
sharing type the source did not give), the source's languages and publishers are kept, and every
value dropped is a warning row of the job.
"""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from harvesters.services import run_source
from tests.harvesters.conftest import check_foreign_harvest, harvested_resources

FIXTURES = Path(__file__).parent / "fixtures"
DCAT = FIXTURES / "dcat_portals"


def german_as_ntriples() -> bytes:
    graph = ox.parse((DCAT / "de-state-portal.ttl").read_bytes(), format=ox.RdfFormat.TURTLE)
    return ox.serialize(graph, format=ox.RdfFormat.N_TRIPLES)


SOURCES = {   # name: (type, path served, body, content type, datasets with a title)
    "de-turtle": ("dcat", "/de.ttl", (DCAT / "de-state-portal.ttl").read_bytes(), "text/turtle", 2),
    "de-ntriples": ("dcat", "/de.nt", german_as_ntriples(), "application/n-triples", 2),
    "nl-jsonld": ("dcat", "/nl.jsonld", (DCAT / "nl-municipality.jsonld").read_bytes(), "application/ld+json", 1),
    "es-rdfxml": ("dcat", "/es.rdf", (DCAT / "es-city-council.rdf").read_bytes(), "application/rdf+xml", 2),
    "datajson-1.1": ("datajson", "/data.json", (FIXTURES / "datajson" / "agency-1.1.json").read_bytes(),
                     "application/json", 4),
    "datajson-3.0": ("datajson", "/data.json", (FIXTURES / "datajson" / "agency-3.0.json").read_bytes(),
                     "application/json", 2),
    "dspace": ("oaipmh", "/oai?verb=ListRecords&metadataPrefix=oai_dc",
               (FIXTURES / "oaipmh" / "dspace_page.xml").read_bytes(), "text/xml", None),
}


@pytest.mark.parametrize("name", SOURCES)
def test_every_titled_record_arrives_and_nothing_is_invented(db, world, remote, make_source, name):
    kind, path, body, content_type, expected = SOURCES[name]
    make_source(name, remote.serve(path, body, content_type=content_type), type=kind)     # only the department
    report = run_source(db, name)
    harvested = check_foreign_harvest(db, report, world, body.decode("utf-8"))
    if expected is not None:
        assert report.counters["created"] == len(harvested) == expected


def test_the_german_portal_keeps_its_languages_publisher_and_english_title(db, world, remote, make_source):
    _kind, path, body, content_type, _n = SOURCES["de-turtle"]
    make_source("de", remote.serve(path, body, content_type=content_type))
    run_source(db, "de")
    doc = harvested_resources(db)["https://opendata.beispielland.example.de/dataset/no2-stundenwerte-2023"][3]
    assert doc["title"].startswith("Stickstoffdioxid") and doc["title_lang"] == "de"
    assert doc["title_en"].startswith("Nitrogen dioxide")
    assert doc["original_publisher"]["name"] and "lfu-luft-no2-2023" in doc["other_identifiers"]
