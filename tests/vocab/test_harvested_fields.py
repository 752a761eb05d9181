"""A harvested resource is published as its source wrote it: its languages (no invented @zh), the
publisher it names, its landing page and identifiers — in DCAT-AP 3.0.1 and govcat's profile."""
from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from registry.resources.schemas import normalize_metadata
from tests.vocab.conftest import BASE, MODIFIED
from vocab import jsonld_context, namespaces as ns
from vocab.catalog import catalog_to_rdf
from vocab.jsonld import to_jsonld
from vocab.mapping import canonical_metadata, resource_from_rdf, resource_to_rdf
from vocab.profile import check_document
from vocab.schemes import concept_schemes_graph
from vocab.validation import validate

CODE = "301001/000042"
SUBJECT = URIRef(f"{BASE}/resources/{CODE}")
GERMAN = {
    "title": "Stickstoffdioxid: Stundenwerte 2023", "title_lang": "de",
    "title_en": "Nitrogen dioxide: hourly values 2023",
    "description": "Stundenmittelwerte aller Messstationen.", "description_lang": "de",
    "keywords": ["Luft", "Stickstoffdioxid"], "keywords_lang": "de",
    "landing_page": "https://www.lfu.beispielland.example.de/luft",
    "original_publisher": {"name": "Landesamt für Umwelt Beispielland",
                           "uri": "https://opendata.beispielland.example.de/organization/lfu"},
    "other_identifiers": ["https://opendata.beispielland.example.de/dataset/no2", "lfu-luft-no2-2023"],
    "classification": "301001", "provider": "11330000002482061Q", "provider_unit": "Referat Luftreinhaltung",
    "format_class": "electronic_file", "share_type": "unconditional", "share_method": "platform_file",
    "open_type": "conditional", "open_conditions": "Registrierung erforderlich.", "update_frequency": "realtime",
    "issued": "2023-01-15",
    "distributions": [{"title": "Stundenwerte (CSV)", "description": "Geprüfte Werte.", "format": "CSV",
                       "access_url": "https://daten.lfu.beispielland.example.de/no2.csv"}],
    "data_services": [{"title": "Messwert-API", "endpoint_url": "https://api.lfu.beispielland.example.de/v1",
                       "endpoint_description": "Abfrage nach Station und Zeitraum."}],
}
UNTAGGED = {**GERMAN, "title_lang": "", "description_lang": "", "keywords_lang": "",
            "original_publisher": {"name": "Gesundheitsamt Musterkreis"}}


def graph_of(doc: dict, code: str = CODE) -> Graph:
    return resource_to_rdf(normalize_metadata(doc), base=BASE, code=code, modified=MODIFIED,
                           department={"name": "浙江省生态环境厅"})


@pytest.mark.parametrize("doc", [GERMAN, UNTAGGED], ids=["tagged", "untagged"])
def test_a_harvested_document_comes_back_exactly(doc):
    stored = normalize_metadata(doc)
    assert canonical_metadata(stored) == stored
    assert resource_from_rdf(graph_of(doc), SUBJECT) == stored


def test_no_text_of_a_german_record_is_tagged_chinese():
    graph = graph_of(GERMAN)
    publisher = URIRef(f"{BASE}/departments/11330000002482061Q")
    tags = {o.language for s, p, o in graph if isinstance(o, Literal) and s != publisher}
    assert tags == {"de", "en", None}
    assert (SUBJECT, ns.DCAT.keyword, Literal("Luft", lang="de")) in graph
    # the texts without a language of their own may be the source's or an editor's: no language claimed
    assert (URIRef(f"{SUBJECT}#distribution-1"), ns.DCT.title, Literal("Stundenwerte (CSV)")) in graph
    assert (SUBJECT, ns.GOVCAT.openConditions, Literal("Registrierung erforderlich.")) in graph
    untagged = graph_of(UNTAGGED)
    assert (SUBJECT, ns.DCT.title, Literal("Stickstoffdioxid: Stundenwerte 2023")) in untagged
    assert not any(o.language == "zh" for s, p, o in untagged if isinstance(o, Literal) and s != publisher)


def test_the_new_fields_in_rdf():
    graph = graph_of(GERMAN)
    page = URIRef("https://www.lfu.beispielland.example.de/luft")
    assert (SUBJECT, ns.DCAT.landingPage, page) in graph and (page, ns.RDF.type, ns.FOAF.Document) in graph
    creator = URIRef("https://opendata.beispielland.example.de/organization/lfu")
    assert (SUBJECT, ns.DCT.creator, creator) in graph
    assert (creator, ns.FOAF.name, Literal("Landesamt für Umwelt Beispielland")) in graph
    assert (creator, ns.RDF.type, ns.FOAF.Agent) in graph
    notations = {str(graph.value(i, ns.SKOS.notation)) for i in graph.objects(SUBJECT, ns.ADMS.identifier)}
    assert notations == set(GERMAN["other_identifiers"])
    assert all(str(i).startswith(f"{SUBJECT}#identifier-") for i in graph.objects(SUBJECT, ns.ADMS.identifier))
    # the provider stays the department; without an IRI the source's publisher is a part of the resource
    assert graph.value(SUBJECT, ns.DCT.publisher) == URIRef(f"{BASE}/departments/11330000002482061Q")
    assert graph_of(UNTAGGED).value(SUBJECT, ns.DCT.creator) == URIRef(f"{SUBJECT}#creator")


def test_an_english_record_has_no_second_english_title():
    doc = {**GERMAN, "title_lang": "en", "title": "Nitrogen dioxide"}
    titles = list(graph_of(doc).objects(SUBJECT, ns.DCT.title))
    assert titles == [Literal("Nitrogen dioxide", lang="en")]
    assert "title_en" not in canonical_metadata(normalize_metadata(doc))


@pytest.mark.parametrize("profile", ["dcat-ap", "dcat-ap-full"])
def test_harvested_records_conform_to_dcat_ap(profile, dcat_ap_dir, demo_departments):
    graph = graph_of(GERMAN) + graph_of({**UNTAGGED, "other_identifiers": ["x-1"]}, "301001/000043")
    report = validate(graph, profile, standards_dir=dcat_ap_dir, background=concept_schemes_graph(BASE, demo_departments))
    assert report.count("Violation") == 0, report.text()


def test_harvested_records_conform_to_the_govcat_profile_with_a_warning_for_a_title_in_german():
    findings = check_document(normalize_metadata(GERMAN), BASE, code=CODE, modified=MODIFIED)
    assert [(f.severity, f.message_en) for f in findings] == [
        ("Warning", "A title in Chinese is recommended (harvested resources keep the language of their source).")]
    assert validate(graph_of(GERMAN), "govcat").conforms


def test_json_ld_has_terms_for_the_new_fields_and_parses_back():
    graph = catalog_to_rdf([{"code": CODE, "modified": MODIFIED, "provider_name": "浙江省生态环境厅",
                             **normalize_metadata(UNTAGGED)}], base=BASE, title="目录", description="描述",
                           publisher={"name": "中心"})
    document = json.loads(to_jsonld(graph))
    dataset = next(node for node in document["@graph"] if node["@id"] == str(SUBJECT))
    assert dataset["landingPage"] == GERMAN["landing_page"]
    assert dataset["creator"] == f"{SUBJECT}#creator"
    # untagged text cannot sit in a language map: it keeps the property's full name
    assert dataset["title"] == {"en": UNTAGGED["title_en"]} and dataset["dct:title"] == UNTAGGED["title"]
    assert len(dataset["otherIdentifier"]) == 2
    assert isomorphic(graph, Graph().parse(data=json.dumps(document), format="json-ld"))
    context = jsonld_context()["@context"]
    assert {"landingPage", "creator", "otherIdentifier", "Identifier", "Document"} <= set(context)
