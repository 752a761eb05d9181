"""Each value mapping comes in a pair, and each pair turns every value back into itself."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Literal, URIRef

from vocab import enumerations as v
from tests.vocab.conftest import BASE
from vocab import values
from vocab import namespaces as ns
from vocab.schemes import ACCESS_RIGHT_CODES, FILE_TYPE_CODES, LICENCE_CODES

ENUMERATED = [
    ("frequency", v.UPDATE_FREQUENCIES.keys), ("open_type", v.OPEN_TYPES.keys),
    ("share_type", v.SHARE_TYPES.keys), ("share_method", v.SHARE_METHODS.keys),
    ("format_class", v.FORMAT_CLASSES.keys), ("data_item_type", v.DATA_ITEM_TYPES.keys),
    ("theme", v.EU_THEMES.keys), ("checksum_algorithm", ["sha256", "sha512", "sha1", "md5", "sm3"]),
    ("file_type", list(FILE_TYPE_CODES)), ("license", list(LICENCE_CODES)),
]


@pytest.mark.parametrize("kind,keys", ENUMERATED)
def test_every_value_of_an_enumeration_maps_and_maps_back(kind, keys):
    to_rdf, from_rdf = getattr(values, f"{kind}_to_rdf"), getattr(values, f"{kind}_from_rdf")
    terms = [to_rdf(key) for key in keys]
    assert all(isinstance(term, URIRef) for term in terms)
    assert len(set(terms)) == len(terms)  # one-to-one
    assert [from_rdf(term) for term in terms] == list(keys)
    assert to_rdf("no such value") is None


def test_opening_maps_to_eu_access_rights():
    assert {k: str(values.open_type_to_rdf(k)).rsplit("/", 1)[1] for k in v.OPEN_TYPES.keys} == ACCESS_RIGHT_CODES
    assert values.open_type_from_rdf(ns.EU_ACCESS_RIGHT.NON_PUBLIC) == "none"


def test_harvested_variants_are_read():
    assert values.frequency_from_rdf(URIRef("http://purl.org/cld/freq/biannual")) == "semiannual"
    assert values.language_from_rdf(URIRef("http://id.loc.gov/vocabulary/iso639-1/fr")) == "fr"
    assert values.language_from_rdf(ns.EU_LANGUAGE.SWE) == "swe"
    assert values.media_type_from_rdf(Literal("text/csv")) == "text/csv"
    assert values.file_type_from_rdf(ns.EU_FILE_TYPE.RDF_TRIG) == "RDF_TRIG"
    assert values.checksum_algorithm_from_rdf(URIRef("http://spdx.org/rdf/terms#checksumAlgorithm_SHA384")) == "sha384"


@given(st.from_regex(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}", fullmatch=True))
def test_any_language_code_comes_back(tag):
    term = values.language_to_rdf(tag)
    assert values.language_from_rdf(term) == tag


def test_known_languages_use_the_eu_table():
    assert values.language_to_rdf("zh") == ns.EU_LANGUAGE.ZHO
    assert values.language_to_rdf("en") == ns.EU_LANGUAGE.ENG
    assert values.language_to_rdf("zh-Hans") == URIRef("https://w3id.org/govcat/language/zh-Hans")


def test_licences():
    assert values.license_to_rdf("CC-BY-4.0") == ns.EU_LICENCE.CC_BY_4_0
    assert values.license_to_rdf("https://example.org/l") == URIRef("https://example.org/l")
    assert values.license_to_rdf("本单位自定义许可") is None  # kept as a labelled node by the mapping
    assert values.license_to_rdf("https://example.org/a b") is None  # not an IRI as it stands


@given(st.emails() | st.text(min_size=1))
def test_any_contact_address_comes_back_exactly(text):
    assert values.email_from_rdf(values.email_to_rdf(text)) == text
    assert values.phone_from_rdf(values.phone_to_rdf(text)) == text


def test_codes_of_the_catalog():
    assert values.classification_from_rdf(values.classification_to_rdf(BASE, "301001002")) == "301001002"
    assert values.region_from_rdf(values.region_to_rdf(BASE, "330106")) == "330106"
    assert values.related_code_from_rdf(values.related_code_to_rdf(BASE, "201/000012")) == "201/000012"
    assert values.related_code_from_rdf(URIRef(f"{BASE}/resources/not-a-code")) is None


def test_data_item_types_publish_an_xsd_datatype_too():
    assert values.datatype_to_rdf("I") == ns.XSD.integer
    assert values.datatype_from_rdf(ns.XSD.decimal) == "N"  # currency (Y) is a decimal as well
    assert all(values.datatype_to_rdf(key) is not None for key in v.DATA_ITEM_TYPES.keys)
