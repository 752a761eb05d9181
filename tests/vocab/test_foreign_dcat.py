"""DCAT-AP as national portals publish it reads into govcat's document: languages kept, URLs in every
form, publishers and identifiers of the source, EU and national vocabularies — and what cannot be
kept is reported, never invented.

The pages (tests/harvesters/fixtures/dcat_portals) are shaped like a German state portal
(DCAT-AP.de, Turtle), a Dutch municipality (DCAT-AP-DONL, JSON-LD) and a Spanish city council as
the national portal has it (NTI-RISP / DCAT-AP-ES, RDF/XML).  Each is read as a harvest reads it:
the page parsed and cut into records, each record read on its own.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef

from harvesters.dcat import DcatHarvester, RecordGraph, parse_page, rdf_format
from registry.resources.schemas import normalize_metadata
from tests.vocab.conftest import BASE
from tests.vocab.test_mapping import CODE, FULL, SUBJECT
from vocab.mapping import resource_from_rdf, resource_to_rdf

FIXTURES = Path(__file__).resolve().parents[1] / "harvesters" / "fixtures" / "dcat_portals"
PAGES = {"de-state-portal.ttl": "turtle", "nl-municipality.jsonld": "json-ld", "es-city-council.rdf": "xml"}
DE = "https://opendata.beispielland.example.de/"
NL = "https://data.voorbeeldstad.example.nl/"
ES = "https://datos.villaejemplo.example.es/catalogo/"
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"


def read_page(name: str) -> dict[str, tuple[dict, list]]:
    """Each dataset of a page: (its document, the warnings of its reading)."""
    page = parse_page((FIXTURES / name).read_bytes(), rdf_format("", name), f"https://portal.example/{name}")
    records = {}
    for dataset in set(page.datasets):
        warnings: list = []
        records[dataset[1:-1]] = (resource_from_rdf(RecordGraph(page.record(dataset)), dataset[1:-1], warnings),
                                  warnings)
    return records


def fields_warned(warnings: list) -> dict[str, str]:
    return {w["field"]: w["reason"] for w in warnings}


@pytest.fixture(scope="module")
def pages() -> dict[str, dict]:
    return {name: read_page(name) for name in PAGES}


def test_a_german_portal_dataset_keeps_its_language_publisher_and_urls(pages):
    doc, warnings = pages["de-state-portal.ttl"][DE + "dataset/no2-stundenwerte-2023"]
    assert doc == {
        "title": "Stickstoffdioxid: Stundenwerte der Messstationen 2023", "title_lang": "de",
        "title_en": "Nitrogen dioxide: hourly values of the monitoring stations 2023",
        "description": "Stundenmittelwerte von NO2 aller Stationen des Luftmessnetzes, geprüft und freigegeben.",
        "description_lang": "de",
        "keywords": ["Luftqualität", "Messnetz", "Stickstoffdioxid"], "keywords_lang": "de",
        "original_publisher": {"name": "Landesamt für Umwelt Beispielland",
                               "uri": DE + "organization/landesamt-fuer-umwelt"},
        "open_type": "unconditional", "update_frequency": "realtime", "issued": "2023-01-15",
        "themes": ["ENVI"], "temporal": {"start": "2023-01-01", "end": "2023-12-31"},
        "contact_point": {"name": "Referat Luftreinhaltung", "email": "luft@lfu.beispielland.example.de",
                          "phone": "+49-331-555-0199"},
        "license": "http://dcat-ap.de/def/licenses/dl-by-de/2.0", "language": ["de"],
        "landing_page": "https://www.lfu.beispielland.example.de/luft/messnetz",
        "other_identifiers": ["lfu-luft-no2-2023"],
        "distributions": [
            {"title": "Stationsliste (ZIP)", "format": "ZIP",
             # only a download URL: it is the access URL too
             "access_url": "https://daten.lfu.beispielland.example.de/luft/stationen.zip",
             "download_url": "https://daten.lfu.beispielland.example.de/luft/stationen.zip"},
            {"title": "Stundenwerte NO2 2023 (CSV)", "format": "CSV", "media_type": "text/csv",
             "access_url": "https://www.lfu.beispielland.example.de/luft/messnetz/daten",
             "download_url": "https://daten.lfu.beispielland.example.de/luft/no2_2023.csv",
             "byte_size": 4821133, "license": "http://dcat-ap.de/def/licenses/dl-by-de/2.0"},
        ],
    }
    assert warnings == [
        {"field": "keywords", "reason": "keywords in another language (en) left out", "value": "air quality"},
        {"field": "spatial", "reason": "not a division code (GB/T 2260)",
         "value": "http://dcat-ap.de/def/politicalGeocoding/stateKey/12"},
        {"field": "distributions", "reason": "a distribution the page does not describe",
         "value": DE + "distribution/archiv-2022"},
    ]


def test_untagged_texts_stay_untagged_and_a_year_is_no_release_date(pages):
    doc, warnings = pages["de-state-portal.ttl"][DE + "dataset/badestellen"]
    assert (doc["title_lang"], doc["description_lang"], doc["keywords_lang"]) == ("", "", "")
    assert doc["original_publisher"] == {"name": "Gesundheitsamt Musterkreis"}    # a blank node: no IRI
    assert doc["update_frequency"] == "monthly"          # every two weeks: monthly covers it, weekly would not
    assert "issued" not in doc
    assert fields_warned(warnings) == {"issued": "a year or a month alone names no day"}
    assert doc["landing_page"] == "https://www.musterkreis.example.de/badestellen"     # a plain literal
    assert doc["distributions"] == [{"access_url": "https://www.musterkreis.example.de/badestellen.geojson",
                                     "download_url": "https://www.musterkreis.example.de/badestellen.geojson",
                                     "format": "GeoJSON"}]


def test_a_dutch_municipality_in_json_ld(pages):
    doc, warnings = pages["nl-municipality.jsonld"][NL + "id/dataset/afvalinzameling"]
    assert doc == {
        "title": "Afvalinzameling: ophaaldagen per wijk", "title_lang": "nl",
        "title_en": "Waste collection: collection days by district",
        "description": "Ophaaldagen van restafval, gft en papier voor alle wijken van de gemeente.",
        "description_lang": "nl", "keywords": ["afval", "gft", "ophaaldagen"], "keywords_lang": "nl",
        "original_publisher": {"name": "Gemeente Voorbeeldstad",
                               "uri": "http://standaarden.overheid.nl/owms/terms/Voorbeeldstad"},
        "open_type": "unconditional", "update_frequency": "monthly",
        "issued": "2020-03-01",                          # written 01-03-2020, day first
        "temporal": {"start": "2020-01-01"},
        # an e-mail address as a plain literal, a telephone number as a node with vcard:hasValue
        "contact_point": {"name": "Klantcontactcentrum Voorbeeldstad", "email": "afval@voorbeeldstad.example.nl",
                          "phone": "+31-20-5550123"},
        "license": "http://creativecommons.org/publicdomain/zero/1.0/deed.nl", "language": ["nl"],
        "landing_page": "https://www.voorbeeldstad.example.nl/afval",
        # dct:identifier as an IRI, adms:identifier with an xsd:anyURI notation
        "other_identifiers": ["https://data.overheid.example.nl/dataset/4f1c2a9e-afval",
                              NL + "dataset/afvalinzameling"],
        "distributions": [
            {"title": "Ophaaldagen (CSV)", "format": "CSV", "media_type": "text/csv", "byte_size": 18230,
             "access_url": NL + "bestanden/ophaaldagen.csv", "download_url": NL + "bestanden/ophaaldagen.csv"},
            {"title": "Ophaaldagen (API)", "format": "JSON", "media_type": "application/json",
             "access_url": "https://api.voorbeeldstad.example.nl/afval/v2/ophaaldagen"},
        ],
    }
    assert warnings == [{"field": "distributions[1].title", "reason": "text in another language (en) left out",
                         "value": "Collection days (API)"}]


def test_a_spanish_council_with_any_uri_addresses_and_owl_time_periods(pages):
    doc, warnings = pages["es-city-council.rdf"][ES + "calidad-aire"]
    assert (doc["title"], doc["title_lang"], doc["title_en"]) == (
        "Calidad del aire: mediciones diarias", "es", "Air quality: daily measurements")
    assert doc["description_lang"] == "es" and doc["description_en"].startswith("Daily mean values")
    assert doc["update_frequency"] == "monthly"                    # time:DurationDescription, one month
    assert doc["issued"] == "2019-05-01" and doc["language"] == ["ca", "es"]
    assert doc["contact_point"] == {"name": "Servicio de Medio Ambiente",
                                    "email": "medioambiente@villaejemplo.example.es"}
    assert "original_publisher" not in doc and "provider" not in doc
    assert doc["distributions"] == [
        {"title": "Mediciones diarias (CSV)", "access_url": "https://datos.villaejemplo.example.es/descargas/"
         "aire-diario.csv", "format": "CSV", "media_type": "text/csv", "byte_size": 20480},
        {"title": "Mediciones diarias (JSON)", "format": "JSON", "media_type": "application/json",
         "access_url": "https://datos.villaejemplo.example.es/descargas/aire-diario.json",
         "download_url": "https://datos.villaejemplo.example.es/descargas/aire-diario.json"},
    ]
    assert fields_warned(warnings) == {
        "title": "text in another language (ca) left out",
        "keywords": "keywords in another language (en) left out",
        "original_publisher": "an agent the page does not name (no foaf:name)",
        "themes": "not an EU data theme", "spatial": "not a division code (GB/T 2260)",
        "distributions[0].title": "text in another language (en) left out",
    }


def test_a_restricted_statement_gives_its_conditions_and_is_never_widened(pages):
    doc, warnings = pages["es-city-council.rdf"][ES + "padron-secciones"]
    assert doc["open_type"] == "conditional"
    assert doc["open_conditions"] == "Acceso previa solicitud motivada al Servicio de Estadística."
    assert doc["update_frequency"] == "quarterly"                  # rdf:value P0Y3M0DT0H0M0S
    assert doc["keywords_lang"] == ""                              # untagged beside a Spanish title
    assert doc["distributions"] == [{"access_url": "https://datos.villaejemplo.example.es/estadistica/padron",
                                     "format": "XLSX", "media_type": "application/vnd.openxmlformats-"
                                     "officedocument.spreadsheetml.sheet"}]
    assert fields_warned(warnings)["distributions[0].download_url"] == "not an http(s) or ftp address"
    assert fields_warned(warnings)["issued"] == "a year or a month alone names no day"


@pytest.mark.parametrize("rights, expected", [
    (Literal("public"), "unconditional"), (Literal("non-public"), "none"), (Literal("restricted"), "conditional"),
    (URIRef("http://publications.europa.eu/resource/authority/access-right/SENSITIVE"), "none"),
    (Literal("Nur für Behörden"), "none"),                         # not understood: the narrowest, with a warning
])
def test_access_rights_in_words_and_codes(rights, expected):
    graph, s = Graph(), URIRef(DE + "dataset/x")
    graph.add((s, URIRef("http://purl.org/dc/terms/accessRights"), rights))
    warnings: list = []
    assert resource_from_rdf(graph, s, warnings)["open_type"] == expected
    assert bool(warnings) == (str(rights) == "Nur für Behörden")


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_whole_rdflib_graph_reads_as_the_harvest_records_do(name, pages):
    graph = Graph().parse(FIXTURES / name, format=PAGES[name])
    for subject, (doc, warnings) in pages[name].items():
        found: list = []
        assert resource_from_rdf(graph, URIRef(subject), found) == doc
        assert found == warnings


def test_the_dcat_harvester_hands_the_warnings_to_the_core():
    page = parse_page((FIXTURES / "de-state-portal.ttl").read_bytes(), "turtle", DE + "catalog")
    dataset = f"<{DE}dataset/badestellen>"
    harvester = object.__new__(DcatHarvester)         # map() reads nothing of the source
    doc = harvester.map((RecordGraph(page.record(dataset)), URIRef(dataset[1:-1])))
    assert doc["_warnings"] == [{"field": "issued", "reason": "a year or a month alone names no day", "value": "2021"}]
    govcat_record = normalize_metadata(FULL)
    graph = resource_to_rdf(govcat_record, base=BASE, code=CODE)
    assert harvester.map((graph, SUBJECT)) == govcat_record       # nothing left out: no "_warnings"


def test_vocabulary_iris_written_as_literals_read_as_the_iris():
    graph, s = Graph(), URIRef(DE + "dataset/literal-iris")
    dct, dcat = "http://purl.org/dc/terms/", "http://www.w3.org/ns/dcat#"
    any_uri = URIRef("http://www.w3.org/2001/XMLSchema#anyURI")
    distribution = URIRef(DE + "distribution/literal-iris")
    for p, o in ((dct + "title", Literal("Wahlergebnisse", lang="de")),
                 (dct + "accessRights", Literal(EU_AUTHORITY + "access-right/NON_PUBLIC", datatype=any_uri)),
                 (dct + "accrualPeriodicity", Literal(EU_AUTHORITY + "frequency/ANNUAL")),
                 (dct + "language", Literal(EU_AUTHORITY + "language/DEU", datatype=any_uri)),
                 (dcat + "theme", Literal(EU_AUTHORITY + "data-theme/GOVE")),
                 (dct + "license", Literal("https://creativecommons.org/licenses/by/4.0/", datatype=any_uri)),
                 (dcat + "distribution", distribution)):
        graph.add((s, URIRef(p), o))
    for p, o in ((dcat + "accessURL", Literal(" https://wahlen.beispielland.example.de/ergebnisse ")),
                 (dct + "format", Literal(EU_AUTHORITY + "file-type/XLSX", datatype=any_uri)),
                 (dcat + "mediaType", Literal("https://www.iana.org/assignments/media-types/"
                                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))):
        graph.add((distribution, URIRef(p), o))
    doc = resource_from_rdf(graph, s)
    assert (doc["open_type"], doc["update_frequency"], doc["language"], doc["themes"]) == (
        "none", "annual", ["de"], ["GOVE"])
    assert doc["license"] == "CC-BY-4.0"
    assert doc["distributions"] == [{"access_url": "https://wahlen.beispielland.example.de/ergebnisse",
                                     "format": "XLSX", "media_type": "application/vnd.openxmlformats-"
                                     "officedocument.spreadsheetml.sheet"}]


# -- whatever a page holds, reading it never fails ---------------------------------------------
_NS = {"dct": "http://purl.org/dc/terms/", "dcat": "http://www.w3.org/ns/dcat#",
       "vcard": "http://www.w3.org/2006/vcard/ns#", "foaf": "http://xmlns.com/foaf/0.1/",
       "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
       "time": "http://www.w3.org/2006/time#", "adms": "http://www.w3.org/ns/adms#",
       "skos": "http://www.w3.org/2004/02/skos/core#", "spdx": "http://spdx.org/rdf/terms#"}
PREDICATES = [URIRef(_NS[prefix] + local) for prefix, local in (item.split(":") for item in (
    "dct:title dct:description dcat:keyword dct:publisher dct:creator dct:identifier adms:identifier skos:notation "
    "dct:accessRights dct:accrualPeriodicity dct:issued dct:temporal dcat:startDate dcat:endDate time:hasBeginning "
    "time:inXSDDate dcat:contactPoint vcard:fn vcard:hasEmail vcard:hasTelephone vcard:hasValue dct:license "
    "dct:language dcat:theme dct:spatial dcat:landingPage dcat:distribution dcat:accessURL dcat:downloadURL "
    "dct:format dcat:mediaType dcat:byteSize rdf:value rdfs:label foaf:name time:months time:days "
    "spdx:checksum spdx:checksumValue dcat:endpointURL").split())]
TEXTS = st.one_of(st.sampled_from(["", " ", "2019", "2019-05", "01.05.2019", "R/P1M", "P1,5D", "public",
                                   "restricted", "mailto:x@y", "tel:+1", "http://x", "https://x/ y", "CSV",
                                   "text/csv", "9" * 40, "٣", "-1", "zh", "EN"]), st.text(max_size=12))
DATATYPES = st.sampled_from([None, "http://www.w3.org/2001/XMLSchema#anyURI", "http://www.w3.org/2001/XMLSchema#date",
                             "http://www.w3.org/2001/XMLSchema#boolean", "http://www.w3.org/2001/XMLSchema#decimal"])
NODES = st.sampled_from([URIRef(DE + "dataset/fuzz"), URIRef(DE + "node/a"), URIRef(DE + "node/b"),
                         URIRef("http://publications.europa.eu/resource/authority/frequency/BIWEEKLY")])


@st.composite
def objects(draw):
    kind = draw(st.sampled_from(["text", "tagged", "typed", "node"]))
    if kind == "node":
        return draw(NODES)
    text = draw(TEXTS)
    if kind == "tagged":
        return Literal(text, lang=draw(st.sampled_from(["de", "en", "zh", "es", "EN-gb"])))
    datatype = draw(DATATYPES)
    return Literal(text, datatype=URIRef(datatype) if kind == "typed" and datatype else None)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(NODES, st.sampled_from(PREDICATES), objects()), max_size=40))
def test_any_graph_reads_into_a_document_and_warnings(triples):
    graph, s = Graph(), URIRef(DE + "dataset/fuzz")
    for triple in triples:
        graph.add(triple)
    warnings: list = []
    doc = resource_from_rdf(graph, s, warnings)
    assert isinstance(doc, dict)
    assert all(set(w) == {"field", "reason", "value"} and all(isinstance(v, str) for v in w.values())
               for w in warnings)


CKAN_STYLE = """
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix schema: <http://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
<https://portal.example.org/dataset/tree-register> a dcat:Dataset ;
    dct:title "Street tree register" ; dct:description "Every street tree with its species and height." ;
    dct:identifier "5f0c1e2a-4b7d-4c11-9a3e-2f1d0c9b8a77" ;
    dct:publisher [ a foaf:Organization ; foaf:name "Parks Department" ] ;
    dcat:contactPoint [ a vcard:Organization ; vcard:fn "Tree Team" ; vcard:hasEmail "mailto:trees@portal.example.org" ] ;
    dct:temporal [ a dct:PeriodOfTime ; schema:startDate "2016-04"^^xsd:gYearMonth ; schema:endDate "2021"^^xsd:gYear ] ;
    dcat:distribution <https://portal.example.org/dataset/tree-register/resource/1> .
<https://portal.example.org/dataset/tree-register/resource/1> a dcat:Distribution ;
    dct:title "trees.csv" ; dcat:accessURL <https://portal.example.org/files/trees.csv> ;
    dct:format "CSV" ; dcat:mediaType "text/csv" ; dcat:byteSize "73422.0"^^xsd:decimal .
"""


def test_a_ckan_style_record_untagged_with_decimal_sizes_and_schema_org_periods():
    graph = Graph().parse(data=CKAN_STYLE, format="turtle")
    doc = resource_from_rdf(graph, URIRef("https://portal.example.org/dataset/tree-register"))
    assert (doc["title_lang"], doc["description_lang"]) == ("", "")
    assert doc["original_publisher"] == {"name": "Parks Department"}
    assert doc["contact_point"] == {"name": "Tree Team", "email": "trees@portal.example.org"}
    assert doc["temporal"] == {"start": "2016-04-01", "end": "2021-12-31"}
    assert doc["other_identifiers"] == ["5f0c1e2a-4b7d-4c11-9a3e-2f1d0c9b8a77"]
    assert doc["distributions"] == [{"title": "trees.csv", "access_url": "https://portal.example.org/files/trees.csv",
                                     "format": "CSV", "media_type": "text/csv", "byte_size": 73422}]
