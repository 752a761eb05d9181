"""govcat's RDF: the vocabulary, the concept schemes, the DCAT-AP mapping and the SHACL profile.

Modules: ``namespaces`` (every prefix, one manager), ``iris`` (the IRI design), ``terms`` (safe
IRIs and literals), ``schemes`` (concept schemes, EU authority-table subsets), ``values`` (value
mappings in pairs), ``dates`` (dates and periods as sources write them), ``mapping``, ``reading``
and ``canonical`` (resource ↔ RDF), ``catalog`` (the catalog and paging), ``validation`` (SHACL),
``jsonld`` (the JSON-LD context).  ``vocab/README.md`` explains
the design decisions.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources as importlib_resources

from rdflib import Graph

from vocab.jsonld import jsonld_context
from vocab.namespaces import new_graph

__all__ = ["vocabulary_graph", "vocabulary_text", "jsonld_context"]


def vocabulary_text() -> str:
    """The govcat vocabulary (``govcat.ttl``) as Turtle text, as published."""
    return importlib_resources.files("vocab").joinpath("govcat.ttl").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _vocabulary() -> Graph:
    return new_graph().parse(data=vocabulary_text(), format="turtle")


def vocabulary_graph() -> Graph:
    """The govcat vocabulary as a graph (a fresh copy: callers may add to it)."""
    graph = new_graph()
    for triple in _vocabulary():
        graph.add(triple)
    return graph
