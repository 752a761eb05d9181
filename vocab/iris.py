"""The IRI design of govcat's RDF, in one place, both ways (build and parse).

Two kinds of IRI exist:

* **catalog IRIs**, built from the catalog's base URL (``GOVCAT``'s public address), because a
  catalog's resources, departments and classification tree are its own:

  ==========================  =====================================================
  catalog                     ``{base}/catalog``
  resource (dcat:Dataset)     ``{base}/resources/{code}`` — the resource code, ``/`` kept
  its parts                   ``{resource}#distribution-1``, ``#service-1``, ``#schema``,
                              ``#column-1``, ``#contact-point``, ``#temporal`` …
  department (publisher)      ``{base}/departments/{credit code}``
  classification scheme       ``{base}/classification``
  classification node         ``{base}/classification/{code}``
  region (dct:Location)       ``{base}/regions/{GB/T 2260 code}``
  ==========================  =====================================================

  Resources are named by their code, not their database id: the code is the identifier the
  compilation guide assigns, it survives a database reload, and ``related_codes`` can be turned
  into links without a lookup.  A resource's parts get fragment IRIs, not blank nodes, so the
  same metadata always gives the same triples (diffs and content hashes of dumps stay stable)
  and pages of N-Triples can be concatenated without blank-node clashes.

* **govcat IRIs**, the same for every catalog, under ``https://w3id.org/govcat/``: the ontology
  (``ns#``) and the concept schemes of the national enumerations, one concept per stored key:
  ``share-type/conditional``, ``share-method/platform_api``, ``open-type/none``,
  ``format-class/spreadsheet``, ``data-item-type/C``.  Keys are used verbatim, so a concept
  IRI and the stored value convert into each other without a table.
"""
from __future__ import annotations

import re
from functools import lru_cache

from rdflib import URIRef

from vocab.codes import parse_resource_code
from vocab.namespaces import GOVCAT_BASE
from vocab.terms import is_clean_iri, segment, unsegment

# Enumeration name (vocab.enumerations) → path segment of its concept scheme.
GOVCAT_SCHEMES = {
    "share_type": "share-type",
    "share_method": "share-method",
    "open_type": "open-type",
    "format_class": "format-class",
    "data_item_type": "data-item-type",
}
LANGUAGE_BASE = GOVCAT_BASE + "language/"  # language tags without an EU authority code


def catalog_base(base: str) -> str:
    """The catalog's base URL without a trailing slash; refused unless a clean http(s) IRI."""
    text = str(base).rstrip("/")
    if not is_clean_iri(text, {"http", "https"}):
        raise ValueError(f"the catalog base must be an absolute http(s) IRI, not {str(base)[:100]!r}")
    return text


def catalog_iri(base: str) -> URIRef:
    return URIRef(f"{base}/catalog")


def resource_iri(base: str, code: str) -> URIRef:
    return URIRef(f"{base}/resources/{segment(code, safe='/')}")


def department_iri(base: str, credit_code: str) -> URIRef:
    return URIRef(f"{base}/departments/{segment(credit_code)}")


def region_iri(base: str, code: str) -> URIRef:
    return URIRef(f"{base}/regions/{segment(code)}")


def classification_scheme_iri(base: str) -> URIRef:
    return URIRef(f"{base}/classification")


def classification_iri(base: str, code: str) -> URIRef:
    return URIRef(f"{base}/classification/{segment(code)}")


def part_iri(subject: str, name: str) -> URIRef:
    """The IRI of a part of ``subject`` (a distribution, the schema …): a fragment when possible."""
    return URIRef(f"{subject}{'-' if '#' in subject else '#'}{name}")


def govcat_scheme_iri(name: str) -> URIRef:
    return URIRef(GOVCAT_BASE + GOVCAT_SCHEMES[name])


@lru_cache(maxsize=1024)   # a handful of enumerations' keys, asked for on every resource
def govcat_concept_iri(name: str, key: str) -> URIRef:
    return URIRef(f"{GOVCAT_BASE}{GOVCAT_SCHEMES[name]}/{segment(key)}")


def language_iri(tag: str) -> URIRef:
    return URIRef(LANGUAGE_BASE + segment(tag))


# Parsing: what a catalog IRI names, whichever catalog published it (the base is not needed).
_LAST_SEGMENT = {
    "classification": re.compile(r"/classification/([^/#?]+)$"),
    "region": re.compile(r"/regions/([^/#?]+)$"),
    "department": re.compile(r"/departments/([^/#?]+)$"),
}
_RESOURCE = re.compile(r"/resources/([^#?]+)$")


def code_from_iri(kind: str, iri) -> str | None:
    """The code in a classification, region or department IRI, or ``None``."""
    match = _LAST_SEGMENT[kind].search(str(iri))
    return unsegment(match.group(1)) if match else None


def resource_code_from_iri(iri) -> str | None:
    """The resource code in a resource IRI, or ``None`` when the IRI names no resource."""
    match = _RESOURCE.search(str(iri))
    if not match:
        return None
    code = unsegment(match.group(1))
    return code if parse_resource_code(code) else None


def govcat_key_from_iri(name: str, iri) -> str | None:
    """The stored key of a govcat concept IRI of scheme ``name``, or ``None``."""
    prefix = f"{GOVCAT_BASE}{GOVCAT_SCHEMES[name]}/"
    text = str(iri)
    return unsegment(text[len(prefix):]) if text.startswith(prefix) else None
