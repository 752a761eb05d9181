"""JSON-LD contexts that DCAT publishers name by address, shipped with govcat so none is ever fetched.

A JSON-LD page may say ``"@context": "https://…/dcat-ap.jsonld"``; a parser would fetch that address,
a request to a host the source's administrator never chose.  govcat fetches nothing there: a context
whose address is in :data:`KNOWN` is replaced by the copy in this folder before the page is parsed,
and any other context named by address fails the job with a message saying so (see
:func:`harvesters.dcat.parse_page`).  The copies are written from the specifications' term lists:

* ``dcat-ap-3.jsonld`` — DCAT-AP 3.0 (SEMIC): the class and property names of the specification
  (``Dataset``, ``releaseDate``, ``datasetDistribution``, ``accessUrl``, ``geographicalCoverage``…);
* ``dcat-ap-3-examples.jsonld`` — the context SEMIC's own DCAT-AP 3 examples name: the same terms,
  titles and descriptions as language maps (``"title": {"en": "…"}``), dates as ``xsd:date``, and
  the examples' prefixes (``example-ds:`` …);
* ``dcat-us-3.jsonld`` — DCAT-US 3.0: its property names, the ``…Map`` forms as language maps, the
  ``dcat:``/``dcterms:``/``foaf:`` prefixes its documents use.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
_SEMIC = "semiceu.github.io/"
_DCAT_US = "raw.githubusercontent.com/DOI-DO/dcat-us/"
# Address (without the scheme) → the file of this folder that stands for it.
KNOWN = {
    _SEMIC + "DCAT-AP/releases/3.0.0/context/dcat-ap.jsonld": "dcat-ap-3.jsonld",
    _SEMIC + "DCAT-AP/releases/3.0.1/context/dcat-ap.jsonld": "dcat-ap-3.jsonld",
    _SEMIC + "DCAT-AP/releases/3.0.2/context/dcat-ap.jsonld": "dcat-ap-3.jsonld",
    _SEMIC + "uri.semic.eu-generated/DCAT-AP/releases/3.0.0/html/examples/context.jsonld": "dcat-ap-3-examples.jsonld",
    _SEMIC + "uri.semic.eu-generated/DCAT-AP/releases/3.0.1/html/examples/context.jsonld": "dcat-ap-3-examples.jsonld",
    _DCAT_US + "main/context/dcat-us-3.0.jsonld": "dcat-us-3.jsonld",
    _DCAT_US + "refs/heads/main/context/dcat-us-3.0.jsonld": "dcat-us-3.jsonld",
}


def known_context(address: str) -> dict | None:
    """The shipped context (the value of its ``@context``) for ``address``, or ``None``."""
    key = address.strip().split("://", 1)[-1].split("#", 1)[0]
    name = KNOWN.get(key)
    return _load(name) if name else None


@cache
def _load(name: str) -> dict:
    return json.loads((HERE / name).read_text(encoding="utf-8"))["@context"]


def inline_known_contexts(value) -> tuple[object, list[str], int]:
    """``value`` (a parsed JSON-LD document) with every known context address replaced by the shipped
    context, the addresses of the contexts it still names that govcat does not know, and how many
    addresses were replaced."""
    unknown: list[str] = []
    replaced = [0]

    def context(ctx):
        if isinstance(ctx, str):
            shipped = known_context(ctx)
            if shipped is None:
                unknown.append(ctx)
                return ctx
            replaced[0] += 1
            return shipped
        if isinstance(ctx, list):
            return [context(c) for c in ctx]
        if isinstance(ctx, dict):
            return walk(ctx)
        return ctx

    def walk(node):
        if isinstance(node, dict):
            return {k: context(v) if k == "@context" else walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(value), unknown, replaced[0]
