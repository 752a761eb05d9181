"""Harvested and typed text never breaks RDF output, and one bad record never breaks a graph."""
from __future__ import annotations

import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from tests.vocab.conftest import BASE
from vocab import namespaces as ns
from vocab.catalog import add_resources
from vocab.mapping import resource_from_rdf, resource_to_rdf, resource_triples
from vocab.terms import is_clean_iri, repair_iri, safe_iri

FORMATS = ["turtle", "xml", "json-ld", "nt"]
CODE = "201/000001"
SUBJECT = URIRef(f"{BASE}/resources/{CODE}")

NASTY = {
    "title": 'NUL\x00 BEL\x07 ESC\x1b surrogate\ud800 nonchar\ufffe\uffff 标题',
    "title_en": 'ends with a quote"',
    "title_lang": "bad tag!", "description_lang": "", "keywords_lang": 7,
    "landing_page": "javascript:alert(1)",
    "original_publisher": {"name": "\x00", "uri": "file:///etc/passwd"},
    "other_identifiers": ["id\x00-1", None, 5, "", ["nested"]],
    "description": 'triple """quotes""" and \'\'\' and a backslash \\ and ]]> <!-- --> &amp; <b>\r\nCRLF\rCR\x85NEL',
    "classification": "2 01",
    "provider": "NOT A <CODE>",
    "provider_unit": "\u202eRTL override\u202c and \u2028 separator",
    "format_class": "spreadsheet",
    "format_type": "<x>",
    "data_items": [{"name": "a\tb", "type": "Q", "length": "12"}, "not an object", {"name": None, "type": "C"}],
    "share_type": "unconditional", "share_method": "platform_api", "open_type": "unconditional",
    "update_frequency": "sometimes",
    "issued": "2020-13-45",
    "related_codes": ["x y", "201/000002", None, 7],
    "keywords": ["]]>", "<!--", "&amp;", "", "键\x00词"],
    "themes": ["ECON", "NOPE"],
    "spatial": "33 01\"",
    "temporal": {"start": "yesterday", "end": "2021-02-30"},
    "contact_point": {"name": "x", "email": "a b\"<c>@x", "phone": "0571 \x00 8888"},
    "license": "javascript:alert(1)",
    "language": ["zh", "bad tag!", 3],
    "distributions": [
        {"access_url": "https://x.example/a b<c>\"d\"{e}|f\\g^h`i", "download_url": "javascript:alert(1)",
         "format": 'C"S\nV', "media_type": "text/csv; charset=utf-8", "byte_size": -1, "license": "",
         "checksum": {"algorithm": "crc", "value": "zz"}},
        {"access_url": "  https://x.example/trimmed  ", "download_url": "file:///etc/passwd", "byte_size": "12",
         "checksum": {"algorithm": "sha1", "value": "ABCDEF\x00"}},
        {"access_url": None},
        "not an object",
    ],
    "data_services": [{"title": "s", "endpoint_url": "mailto:x@y", "endpoint_description": "http://x/ y"}],
    "classified": "no",
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_nasty_values_serialise_and_parse_back_to_the_same_graph(fmt):
    graph = resource_to_rdf(NASTY, base=BASE, code=CODE)
    text = graph.serialize(format=fmt)
    again = Graph().parse(data=text, format=fmt)
    assert isomorphic(graph, again)
    assert resource_from_rdf(again, SUBJECT) == resource_from_rdf(graph, SUBJECT)


def test_what_survives_of_a_nasty_record_is_clean():
    graph = resource_to_rdf(NASTY, base=BASE, code=CODE)
    doc = resource_from_rdf(graph, SUBJECT)
    assert doc["title"] == "NUL BEL ESC surrogate nonchar 标题"
    # a language that is no tag is not invented: the texts are written untagged
    assert (doc["title_lang"], doc["description_lang"], doc["keywords_lang"]) == ("", "", "")
    assert "landing_page" not in doc and "original_publisher" not in doc
    assert doc["other_identifiers"] == ["5", "id-1"]
    assert doc["description"] == NASTY["description"]  # CR, CRLF and NEL are text, kept
    assert doc["distributions"][0]["access_url"] == \
        "https://x.example/a%20b%3Cc%3E%22d%22%7Be%7D%7Cf%5Cg%5Eh%60i"
    assert doc["distributions"][1]["access_url"] == "https://x.example/trimmed"
    assert "download_url" not in doc["distributions"][0]  # javascript: is not published
    assert "download_url" not in doc["distributions"][1]  # neither is file:
    assert doc["keywords"] == ["", "&amp;", "<!--", "]]>", "键词"]
    assert doc["themes"] == ["ECON"]
    assert doc["related_codes"] == ["201/000002"]
    assert doc["contact_point"]["email"] == 'a b"<c>@x'
    assert "issued" not in doc and "temporal" not in doc
    assert "classified" not in doc and "update_frequency" not in doc
    for term in (t for triple in graph for t in triple if isinstance(t, URIRef)):
        assert is_clean_iri(str(term), {"http", "https", "ftp", "ftps", "mailto", "tel"}), term


def test_repairs_and_drops_are_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="vocab"):
        resource_to_rdf(NASTY, base=BASE, code=CODE)
    messages = "\n".join(record.getMessage() for record in caplog.records)
    assert "repaired access URL" in messages
    assert "dropped download URL 'javascript:alert(1)'" in messages
    assert "removed control characters" in messages
    assert "dropped date '2020-13-45'" in messages


def test_iri_repair():
    assert repair_iri("https://x/数据?a=1#f") == "https://x/数据?a=1#f"  # an IRI may hold Chinese
    assert repair_iri("https://x/%zz%41") == "https://x/%25zz%41"
    assert repair_iri("https://x/a\u200bb") == "https://x/a%E2%80%8Bb"
    assert safe_iri("HTTPS://X/") == URIRef("HTTPS://X/")
    assert safe_iri("data:text/plain,hi") is None
    assert safe_iri("//x/no-scheme") is None
    assert safe_iri(42) is None


def test_one_bad_record_does_not_cost_the_page(demo_sample, caplog):
    graph = ns.new_graph()
    records = [demo_sample[0], "not a record", {"title": "no code"}, NASTY | {"code": "1/2"},
               {"code": CODE, **NASTY}, demo_sample[1]]
    with caplog.at_level(logging.WARNING, logger="vocab"):
        subjects, failed = add_resources(graph, records, base=BASE)
    assert failed == 2 and len(subjects) == 4
    assert "skipped resource" in caplog.text
    for fmt in FORMATS:
        Graph().parse(data=graph.serialize(format=fmt), format=fmt)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=12,
)
field_names = st.sampled_from(sorted(NASTY))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(field_names, json_values, max_size=8), st.sampled_from(FORMATS))
def test_arbitrary_junk_never_breaks_conversion_or_serialisation(record, fmt):
    subject, triples = resource_triples(record, base=BASE, code=CODE)
    graph = resource_to_rdf(record, base=BASE, code=CODE)
    text = graph.serialize(format=fmt)
    assert isomorphic(graph, Graph().parse(data=text, format=fmt))
    resource_from_rdf(graph, subject)


def test_json_ld_output_is_json_whatever_the_text(demo_sample):
    graph = resource_to_rdf({**demo_sample[0], "title": "\"}]\\u0000 ", "description": "\u2028\u2029"}, base=BASE)
    json.loads(graph.serialize(format="json-ld"))
