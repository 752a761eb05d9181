"""govcat's JSON-LD context (``context.jsonld``) and JSON-LD output that uses it.

The context is part of govcat's published interface: clients read ``title``, ``keyword`` or
``shareType`` rather than full IRIs, so its terms never change meaning — a term may be added,
never renamed or redefined.  Its choices:

* language-tagged text uses language maps: ``"title": {"zh": "…", "en": "…"}``;
* properties whose values are IRIs are ``@type: @id``, so links are plain strings;
* dates, date-times, sizes and positions carry their XSD type in the context, not in the data;
* ``foaf:name`` is ``name``; ``csvw:name`` (a data item's name) is ``columnName``;
* ``csvw:Schema`` is ``TableSchema`` (the CSVW key of a table's schema).

Values that do not fit a term definition (an untagged title from a harvest, say) still come out
correctly, with the full property name; nothing is lost by compaction.
"""
from __future__ import annotations

import copy
import json
from functools import lru_cache
from importlib import resources as importlib_resources

from rdflib import Graph

CONTEXT_URL = "https://w3id.org/govcat/context.jsonld"


@lru_cache(maxsize=1)
def _context_document() -> dict:
    return json.loads(importlib_resources.files("vocab").joinpath("context.jsonld").read_text(encoding="utf-8"))


def jsonld_context() -> dict:
    """The context document, ``{"@context": {...}}`` (a fresh copy)."""
    return copy.deepcopy(_context_document())


def to_jsonld(graph: Graph, *, context_url: str | None = None) -> str:
    """``graph`` as compact JSON-LD with govcat's context, embedded unless ``context_url`` is given."""
    context = jsonld_context()["@context"]
    text = graph.serialize(format="json-ld", context=context, auto_compact=True, ensure_ascii=False)
    if context_url is None:
        return text
    document = json.loads(text)
    document["@context"] = context_url
    return json.dumps(document, ensure_ascii=False, indent=2)
