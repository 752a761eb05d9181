"""The canonical form of a metadata document: what a trip through RDF leaves of it.

RDF keeps every value of a document but cannot tell some documents apart (an empty list from an
absent one, the order of a set, the case of a language tag …).  :func:`canonical_metadata` maps a
document to the one :func:`vocab.mapping.resource_from_rdf` reads back, so code that compares a
stored document with one read from RDF (content hashes of harvested records) compares like with like.
"""
from __future__ import annotations

import copy

from rdflib import URIRef

from vocab.terms import is_clean_iri, repair_iri
from vocab.values import license_from_rdf

# Lists whose order and repetitions RDF cannot keep (each value is one triple of a set).
SET_VALUED = ("keywords", "themes", "language", "related_codes", "other_identifiers")
ZH, EN = "zh", "en"  # the catalog's working language and the optional English translation
# The language tag of a text field (absent: zh; "": untagged).  The texts without a field of their
# own (conditions, units, the parts' titles and descriptions) are zh in a Chinese record, else untagged.
TEXT_LANGUAGES = {"title": "title_lang", "description": "description_lang", "keywords": "keywords_lang"}


def _copied(value):
    """A copy of a JSON-shaped value (dicts, lists, scalars): what deepcopy does, several times faster."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value if isinstance(value, (str, int, float, bool, type(None))) else copy.deepcopy(value)


def canonical_metadata(doc: dict) -> dict:
    """``doc`` in the form it has after a trip through RDF (``doc`` itself is not changed).

    RDF keeps every value, but cannot tell apart:

    * an empty list (or an empty ``temporal``) from an absent one: they are dropped;
    * the order and repetitions of set-valued lists (keywords, themes, languages, related
      codes, other identifiers): they are sorted and deduplicated;
    * the case of a hexadecimal checksum (``xsd:hexBinary``): even-length values are lowered;
    * a licence given as the EU licence IRI of a known identifier, or as the licence's own address:
      it becomes the identifier;
    * a URL with characters an IRI may not hold (space, ``<>"{}|\\^```): they are percent-encoded;
    * the case of a language tag (RDF's tags have none): tags are lower-cased, and zh (the
      default) is left out; a language for keywords when there are none is dropped, and so is
      an English translation of a title or description that is itself in English (``*_lang`` en).
    """
    doc = _copied(doc)
    for field, lang_field in TEXT_LANGUAGES.items():
        tag = doc.get(lang_field)
        if isinstance(tag, str):
            tag = doc[lang_field] = tag.lower()
            if tag == ZH:
                del doc[lang_field]
            elif tag == EN and f"{field}_en" in doc:
                del doc[f"{field}_en"]
    if isinstance(doc.get("landing_page"), str):
        doc["landing_page"] = repair_iri(doc["landing_page"].strip())
    publisher = doc.get("original_publisher")
    if isinstance(publisher, dict) and isinstance(publisher.get("uri"), str):
        publisher["uri"] = repair_iri(publisher["uri"].strip())
    for field in SET_VALUED:
        if isinstance(doc.get(field), list):
            doc[field] = sorted({value for value in doc[field] if isinstance(value, str)})
    if not doc.get("keywords"):
        doc.pop("keywords_lang", None)
    licence = doc.get("license")
    for distribution in doc.get("distributions") or []:
        if not isinstance(distribution, dict):
            continue
        for key in ("access_url", "download_url"):
            if isinstance(distribution.get(key), str):
                distribution[key] = repair_iri(distribution[key].strip())
        checksum = distribution.get("checksum")
        if isinstance(checksum, dict) and isinstance(checksum.get("value"), str) and len(checksum["value"]) % 2 == 0:
            checksum["value"] = checksum["value"].lower()
        if isinstance(distribution.get("license"), str):
            distribution["license"] = _canonical_licence(distribution["license"])
    for service in doc.get("data_services") or []:
        if isinstance(service, dict) and isinstance(service.get("endpoint_url"), str):
            service["endpoint_url"] = repair_iri(service["endpoint_url"].strip())
    if isinstance(licence, str):
        doc["license"] = _canonical_licence(licence)
    return {k: val for k, val in doc.items() if val != [] and val != {}}


def _canonical_licence(text: str) -> str:
    return license_from_rdf(URIRef(text)) if is_clean_iri(text) else text
