"""Value mappings in pairs: each stored value ``x_to_rdf`` and back ``x_from_rdf``.

One pair per kind of value (frequency, opening, sharing type …) keeps the resource mapping
short and makes every value's round trip testable on its own.  ``*_to_rdf`` returns ``None``
for a value it cannot map (the caller decides what to do: most often keep it as a labelled
node, so nothing is lost); ``*_from_rdf`` returns ``None`` for a term it does not recognise,
and also reads the common variants met in harvested DCAT.
"""
from __future__ import annotations

import re

from rdflib import URIRef
from rdflib.namespace import XSD

from vocab import enumerations as v
from vocab import iris
from vocab.dates import frequency_from_text
from vocab.namespaces import (
    EU_ACCESS_RIGHT, EU_DATA_THEME, EU_FILE_TYPE, EU_FREQUENCY, EU_LANGUAGE, EU_LICENCE, IANA_MEDIA_TYPE,
)
from vocab.schemes import (
    ACCESS_RIGHT_CODES, CHECKSUM_ALGORITHMS, FILE_TYPE_CODES, FILE_TYPE_TEXTS, FREQUENCY_CODES, LANGUAGE_CODES,
    LICENCE_CODES,
)
from vocab.terms import is_clean_iri, segment, unsegment

_FREQUENCY_KEYS = {code: key for key, code in FREQUENCY_CODES.items()}
# The Dublin Core collection frequencies (DCAT-US and many CKAN catalogs publish them).
_DC_FREQUENCY = "http://purl.org/cld/freq/"
_OPEN_TYPE_KEYS = {code: key for key, code in ACCESS_RIGHT_CODES.items()}
# Access rights as catalogs write them in words, and the EU table's other codes: a restriction is
# never widened (sensitive and confidential data are not open at all).
_OPEN_TYPE_WORDS = {
    "public": "unconditional", "open": "unconditional", "restricted": "conditional",
    "restricted public": "conditional", "non-public": "none", "non_public": "none", "nonpublic": "none",
    "not public": "none", "confidential": "none", "sensitive": "none",
}
_LANGUAGE_KEYS = {code: key for key, (code, _zh, _en) in LANGUAGE_CODES.items()}
_LICENCE_IDS = {EU_LICENCE[code]: key for key, (code, _same, _name) in LICENCE_CODES.items()}
# A known licence's own address (creativecommons.org …), http or https, with or without its final slash.
_LICENCE_ADDRESSES = {same.split("://", 1)[1].rstrip("/"): key for key, (_code, same, _name) in LICENCE_CODES.items()}
_ALGORITHM_KEYS = {iri: key for key, iri in CHECKSUM_ALGORITHMS.items()}
_MEDIA_TYPE = re.compile(r"^[a-z]+/[A-Za-z0-9.+\-_]+$")


def _suffix(term, namespace) -> str | None:
    text, prefix = str(term), str(namespace)
    return text[len(prefix):] if text.startswith(prefix) else None


# Update frequency ↔ EU frequency.
def frequency_to_rdf(key: str) -> URIRef | None:
    code = FREQUENCY_CODES.get(key)
    return EU_FREQUENCY[code] if code else None


def frequency_from_rdf(term) -> str | None:
    """An EU frequency (any code of the table: the one that covers its period), a Dublin Core
    collection frequency, or a literal word or ISO 8601 duration → govcat's update frequency."""
    code = _suffix(term, EU_FREQUENCY)
    if code is not None:
        return _FREQUENCY_KEYS.get(code) or frequency_from_text(code)
    code = _suffix(term, _DC_FREQUENCY)
    return frequency_from_text(code if code is not None else str(term))


# Opening (开放属性) ↔ EU access right.
def open_type_to_rdf(key: str) -> URIRef | None:
    code = ACCESS_RIGHT_CODES.get(key)
    return EU_ACCESS_RIGHT[code] if code else None


def open_type_from_rdf(term) -> str | None:
    """An EU access right, a govcat opening, or the words ``public``, ``restricted``, ``non-public``."""
    code = _suffix(term, EU_ACCESS_RIGHT)
    if code is not None:
        return _OPEN_TYPE_KEYS.get(code) or _OPEN_TYPE_WORDS.get(code.lower())
    if str(term).startswith(iris.GOVCAT_BASE):
        return iris.govcat_key_from_iri("open_type", term)
    return open_type_from_text(str(term))


def open_type_from_text(text: str) -> str | None:
    return _OPEN_TYPE_WORDS.get(" ".join(text.lower().replace("_", " ").split()).replace("non public", "non-public"))


# The national enumerations ↔ govcat concepts: one pair each, all alike.
def _govcat_to_rdf(name: str, key) -> URIRef | None:
    return iris.govcat_concept_iri(name, key) if isinstance(key, str) and key in v.ENUMERATIONS[name] else None


def _govcat_from_rdf(name: str, term) -> str | None:
    key = iris.govcat_key_from_iri(name, term)
    return key if key in v.ENUMERATIONS[name] else None


def share_type_to_rdf(key: str) -> URIRef | None:
    return _govcat_to_rdf("share_type", key)


def share_type_from_rdf(term) -> str | None:
    return _govcat_from_rdf("share_type", term)


def share_method_to_rdf(key: str) -> URIRef | None:
    return _govcat_to_rdf("share_method", key)


def share_method_from_rdf(term) -> str | None:
    return _govcat_from_rdf("share_method", term)


def format_class_to_rdf(key: str) -> URIRef | None:
    return _govcat_to_rdf("format_class", key)


def format_class_from_rdf(term) -> str | None:
    return _govcat_from_rdf("format_class", term)


def data_item_type_to_rdf(key: str) -> URIRef | None:
    return _govcat_to_rdf("data_item_type", key)


def data_item_type_from_rdf(term) -> str | None:
    return _govcat_from_rdf("data_item_type", term)


# Data item type ↔ the XSD datatype published as csvw:datatype for tools that know no govcat.
# Not one-to-one (memo is text, currency is decimal), hence govcat:dataItemType beside it;
# reading back, a datatype alone gives the first type listed for it.
XSD_ANY = URIRef(str(XSD) + "anyAtomicType")  # CSVW's "any"; rdflib's XSD namespace lacks it
DATA_ITEM_DATATYPES = {
    "C": XSD.string, "N": XSD.decimal, "I": XSD.integer, "F": XSD.float, "B": XSD.double, "D": XSD.date,
    "T": XSD.dateTime, "L": XSD.boolean, "M": XSD.string, "Y": XSD.decimal, "G": XSD_ANY,
}
_DATATYPE_KEYS: dict = {}
for _key, _datatype in DATA_ITEM_DATATYPES.items():
    _DATATYPE_KEYS.setdefault(_datatype, _key)


def datatype_to_rdf(key: str) -> URIRef | None:
    return DATA_ITEM_DATATYPES.get(key)


def datatype_from_rdf(term) -> str | None:
    return _DATATYPE_KEYS.get(term)


# EU data themes.
def theme_to_rdf(code: str) -> URIRef | None:
    return EU_DATA_THEME[code] if isinstance(code, str) and code in v.EU_THEMES else None


def theme_from_rdf(term) -> str | None:
    code = _suffix(term, EU_DATA_THEME)
    return code if code in v.EU_THEMES else None


# Classification node, region, related resource: catalog IRIs (see vocab.iris).
def classification_to_rdf(base: str, code: str) -> URIRef | None:
    return iris.classification_iri(base, code) if isinstance(code, str) and code else None


def classification_from_rdf(term) -> str | None:
    return iris.code_from_iri("classification", term)


def region_to_rdf(base: str, code: str) -> URIRef | None:
    return iris.region_iri(base, code) if isinstance(code, str) and code else None


def region_from_rdf(term) -> str | None:
    return iris.code_from_iri("region", term)


def related_code_to_rdf(base: str, code: str) -> URIRef | None:
    return iris.resource_iri(base, code) if isinstance(code, str) and code else None


def related_code_from_rdf(term) -> str | None:
    return iris.resource_code_from_iri(term)


# Languages: EU language IRIs for the table's codes, a govcat IRI per tag for the others.
def language_to_rdf(tag: str) -> URIRef | None:
    if not isinstance(tag, str) or not tag:
        return None
    known = LANGUAGE_CODES.get(tag)
    return EU_LANGUAGE[known[0]] if known else iris.language_iri(tag)


def language_is_eu(term) -> bool:
    return str(term).startswith(str(EU_LANGUAGE))


def language_from_rdf(term) -> str | None:
    code = _suffix(term, EU_LANGUAGE)
    if code is not None:
        return _LANGUAGE_KEYS.get(code, code.lower())
    text = str(term)
    if text.startswith(iris.LANGUAGE_BASE):
        return unsegment(text[len(iris.LANGUAGE_BASE):])
    match = re.search(r"id\.loc\.gov/vocabulary/iso639-[12]/([a-z]{2,3})$", text)
    return match.group(1) if match else None


# Distribution format ↔ EU file type (exact texts only; see schemes.FILE_TYPE_CODES).
def file_type_to_rdf(text: str) -> URIRef | None:
    code = FILE_TYPE_CODES.get(text) if isinstance(text, str) else None
    return EU_FILE_TYPE[code] if code else None


def file_type_from_rdf(term) -> str | None:
    code = _suffix(term, EU_FILE_TYPE)
    return FILE_TYPE_TEXTS.get(code, code) if code else None


# Media type ↔ IANA media-type IRI.
def media_type_to_rdf(media_type: str) -> URIRef | None:
    if isinstance(media_type, str) and _MEDIA_TYPE.match(media_type):
        return IANA_MEDIA_TYPE[media_type]
    return None


_IANA = ("https://www.iana.org/assignments/media-types/", "http://www.iana.org/assignments/media-types/")


def media_type_from_rdf(term) -> str | None:
    """An IANA media-type IRI (http or https) or a bare media type (``text/csv``) → the media type."""
    text = str(term)
    for prefix in _IANA:
        if text.startswith(prefix):
            text = text[len(prefix):]
            break
    else:
        match = re.search(r"iana\.org/assignments/media-types/(.+)$", text)
        text = match.group(1) if match else text.strip()
    return text if _MEDIA_TYPE.match(text) else None


# Licence: a known identifier ↔ its EU licence IRI; an address stays an IRI; other text is the
# caller's labelled node.
def license_to_rdf(text: str) -> URIRef | None:
    if not isinstance(text, str):
        return None
    known = LICENCE_CODES.get(text)
    if known:
        return EU_LICENCE[known[0]]
    return URIRef(text) if is_clean_iri(text) else None


def license_from_rdf(term, label: str | None = None) -> str | None:
    if term in _LICENCE_IDS:
        return _LICENCE_IDS[term]
    if isinstance(term, URIRef) and ("creativecommons.org/" in term or "opendatacommons.org/" in term):
        known = _LICENCE_ADDRESSES.get(str(term).split("://", 1)[-1].rstrip("/"))
        if known is not None:
            return known
    if label is not None:
        return label
    return str(term) if isinstance(term, URIRef) else None


# Checksum algorithm ↔ SPDX individual (govcat's for SM3).
def checksum_algorithm_to_rdf(key: str) -> URIRef | None:
    return CHECKSUM_ALGORITHMS.get(key)


def checksum_algorithm_from_rdf(term) -> str | None:
    if term in _ALGORITHM_KEYS:
        return _ALGORITHM_KEYS[term]
    match = re.search(r"checksumAlgorithm_(\w+)$", str(term))
    return match.group(1).lower() if match else None


# Contact addresses: mailto: and tel: IRIs, percent-encoded so that any text comes back exactly.
def email_to_rdf(email: str) -> URIRef | None:
    return URIRef("mailto:" + segment(email, safe="@!$'*+,;=")) if isinstance(email, str) and email else None


def email_from_rdf(term) -> str | None:
    text = str(term)
    if text.lower().startswith("mailto:"):
        return unsegment(text[7:].split("?", 1)[0])
    return text if "@" in text else None


def phone_to_rdf(phone: str) -> URIRef | None:
    return URIRef("tel:" + segment(phone, safe="+()")) if isinstance(phone, str) and phone else None


def phone_from_rdf(term) -> str | None:
    text = str(term)
    return unsegment(text[4:]) if text.lower().startswith("tel:") else text
