"""Writing RDF fast: triples collected without an rdflib store, serialised by pyoxigraph.

rdflib stays the interface: the mapping builds rdflib terms, and every graph function of ``vocab/``
works on anything with ``add``/``addN``.  What is slow in rdflib for a page of a catalog is its
in-memory store and its Python serialisers (a page of 100 resources, ~10,000 triples: ~90 ms of
``Graph.add`` and ~350 ms of Turtle).  :class:`TripleSink` stands in for the graph (a list), and
:func:`write` hands the triples to pyoxigraph's serialisers (Rust), converting each distinct term
once.  ``bench/rdf.py`` measures both paths side by side.  JSON-LD keeps rdflib's serialiser,
because only it compacts with govcat's context.

Pages that go to pyoxigraph may also carry triples already converted (``ox.Triple``): the
per-resource cache of ``registry/rdf/fragments.py`` keeps a resource's triples in that form, since
mapping and converting them is most of a page's cost.
"""
from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from vocab.namespaces import bind_namespaces

OX_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "rdf": ox.RdfFormat.RDF_XML}


class TripleSink:
    """Enough of an rdflib ``Graph`` to be built by ``vocab``'s functions: it only collects triples.

    A sink made with ``converted=True`` goes to pyoxigraph only (not to rdflib nor JSON-LD), and
    may then hold ``ox.Triple`` items beside rdflib triples.
    """

    def __init__(self, converted: bool = False):
        self.triples: list = []
        self.converted = converted
        # In a converted sink each rdflib triple is converted as it comes, so that writing need not
        # look at every triple again; the IRIs it pointed to are noted (position, IRI) for
        # ``describe_concepts``, which would otherwise have to scan the whole page for them.
        self.pointed_to: list[tuple[int, URIRef]] = []

    def add(self, triple) -> "TripleSink":
        if self.converted and type(triple) is not ox.Triple:
            s, p, o = triple
            if isinstance(o, URIRef):
                self.pointed_to.append((len(self.triples), o))
            convert = _shared_converter
            triple = ox.Triple(convert(s), convert(p), convert(o))
        self.triples.append(triple)
        return self

    def extend(self, triples) -> None:
        """Add several triples (rdflib's or pyoxigraph's)."""
        if self.converted:
            for triple in triples:
                self.add(triple)
        else:
            self.triples.extend(triples)

    def addN(self, quads) -> None:  # noqa: N802 — rdflib's name
        self.extend((s, p, o) for s, p, o, _ in quads)

    def __len__(self) -> int:
        return len(set(self.triples))

    def graph(self) -> Graph:
        """The triples as an rdflib graph (for JSON-LD, and for callers who want rdflib)."""
        if self.converted:
            raise TypeError("this sink holds pyoxigraph triples: it is written, not made a graph")
        graph = bind_namespaces(Graph())
        for triple in self.triples:
            graph.add(triple)
        return graph


_PREFIXES: dict[str, str] = {}


def _prefix_map() -> dict[str, str]:
    if not _PREFIXES:
        _PREFIXES.update(_prefixes())
    return _PREFIXES


def _prefixes() -> dict[str, str]:
    """govcat's own prefix bindings (vocab.namespaces), not rdflib's defaults."""
    graph = bind_namespaces(Graph(bind_namespaces="none"))
    return {prefix: str(namespace) for prefix, namespace in graph.namespaces() if prefix and prefix != "xml"}


class _Converter:
    """rdflib terms → pyoxigraph terms, each distinct term converted once."""

    def __init__(self):
        self.cache: dict = {}

    def __call__(self, term):
        found = self.cache.get(term)
        if found is None:
            found = self.cache[term] = self._convert(term)
        return found

    @staticmethod
    def _convert(term):
        if isinstance(term, URIRef):
            return ox.NamedNode(str(term))
        if isinstance(term, BNode):
            return ox.BlankNode(str(term))
        if isinstance(term, Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype:
                return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            return ox.Literal(str(term))
        raise TypeError(f"not an RDF term: {term!r}")


class _LongLivedConverter(_Converter):
    """A converter whose cache survives between calls but never grows without bound: the terms that
    repeat on every resource (predicates, classes, concepts, publishers) stay converted."""

    LIMIT = 50_000

    def __call__(self, term):
        if len(self.cache) > self.LIMIT:
            self.cache.clear()
        return super().__call__(term)


_shared_converter = _LongLivedConverter()


def to_ox(triples) -> list:
    """rdflib-term triples as pyoxigraph triples (``ox.Triple`` items pass as they are)."""
    convert = _shared_converter
    return [t if type(t) is ox.Triple else ox.Triple(convert(t[0]), convert(t[1]), convert(t[2])) for t in triples]


def write(triples, extension: str, *, prefixes: bool = True, converted: bool = False) -> bytes:
    """Serialise triples (rdflib terms, or ``ox.Triple``) as Turtle, N-Triples or RDF/XML with pyoxigraph.

    Duplicates are removed, the first of each kept in place.  ``converted``: every triple is an
    ``ox.Triple`` already (a converted sink's), so none is looked at before pyoxigraph takes them.
    """
    unique = dict.fromkeys(triples if converted else to_ox(triples))
    return ox.serialize(unique, format=OX_FORMATS[extension], prefixes=_prefix_map() if prefixes else None)
