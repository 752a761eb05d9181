"""Harvesting DCAT catalogs: Turtle, RDF/XML, JSON-LD or N-Triples, paged with Hydra.

This module only says how to list a DCAT source and how to map one of its datasets; the job
around it is :class:`harvesters.base.Harvester`'s.  The listing follows ``hydra:next`` (and the
older ``hydra:nextPage``) from page to page, one page in memory at a time; a page seen twice is a
paging loop and, like a page past :attr:`DcatHarvester.max_pages`, fails the job — a listing that
did not end cleanly is not complete, so nothing may be withdrawn after it.  Each ``dcat:Dataset``
named by an IRI is one record, mapped by :func:`vocab.mapping.resource_from_rdf`; its IRI is the
original identifier kept in the provenance.
"""
from __future__ import annotations

import json
from urllib.parse import urljoin, urlsplit

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

from harvesters.base import Harvester, JobFailure, Listed, RecordFailure
from harvesters.http import FetchError, SafeFetcher
from vocab.mapping import resource_from_rdf
from vocab.namespaces import DCAT, DCT, HYDRA

# rdflib parser names by media type, then by file extension.
FORMATS_BY_TYPE = {
    "text/turtle": "turtle", "application/x-turtle": "turtle",
    "application/rdf+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "application/ld+json": "json-ld", "application/json": "json-ld",
    "application/n-triples": "nt",
}
FORMATS_BY_EXTENSION = {".ttl": "turtle", ".rdf": "xml", ".xml": "xml", ".owl": "xml",
                        ".jsonld": "json-ld", ".json": "json-ld", ".nt": "nt"}
ACCEPT = ("text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.9, "
          "application/n-triples;q=0.8, */*;q=0.1")
NEXT_PAGE = (HYDRA.next, HYDRA.nextPage)


def rdf_format(content_type: str, url: str) -> str:
    """The rdflib parser for a page, from its content type, else its extension (else Turtle)."""
    if content_type in FORMATS_BY_TYPE:
        return FORMATS_BY_TYPE[content_type]
    path = urlsplit(url).path.lower()
    for extension, name in FORMATS_BY_EXTENSION.items():
        if path.endswith(extension):
            return name
    return "turtle"


def _remote_contexts(value) -> bool:
    """Whether a JSON-LD document refers to a context by address (which the parser would fetch unchecked)."""
    if isinstance(value, dict):
        return any(_remote_contexts(v) if k != "@context" else _is_remote(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_remote_contexts(v) for v in value)
    return False


def _is_remote(context) -> bool:
    if isinstance(context, str):
        return True
    if isinstance(context, list):
        return any(_is_remote(c) for c in context)
    return isinstance(context, dict) and _remote_contexts(context)


def parse_page(body: bytes, fmt: str, url: str) -> Graph:
    """The graph of one page; raise :class:`JobFailure` if it is not well-formed."""
    if fmt == "json-ld":
        try:
            if _remote_contexts(json.loads(body)):
                raise JobFailure("gather", f"{url[:200]}: remote JSON-LD contexts are not fetched; inline them")
        except ValueError as error:
            raise JobFailure("gather", f"{url[:200]} is not JSON: {error}") from None
    graph = Graph()
    try:
        graph.parse(data=body, format=fmt, publicID=url)
    except Exception as error:   # rdflib's parsers raise many types; any of them means a broken page
        raise JobFailure("gather", f"{url[:200]} is not well-formed {fmt}: {str(error)[:500]}") from None
    return graph


class DcatHarvester(Harvester):
    """A DCAT catalog, possibly paged with Hydra."""

    type = "dcat"
    max_pages = 10_000
    fetcher_options: dict = {}

    def __init__(self, database, source, **fetcher_options):
        super().__init__(database, source)
        self.fetcher = SafeFetcher(auth_header=source.auth_header, **{**self.fetcher_options, **fetcher_options})

    def gather(self):
        url, seen_pages = self.source.url, set()
        while url:
            if url in seen_pages:
                raise JobFailure("gather", f"paging loop: {url[:200]} was listed twice")
            if len(seen_pages) >= self.max_pages:
                raise JobFailure("gather", f"more than {self.max_pages} pages; the listing was stopped")
            seen_pages.add(url)
            try:
                page = self.fetcher.get(url, accept=ACCEPT)
            except FetchError as error:
                raise JobFailure("gather", str(error)) from None
            graph = parse_page(page.body, rdf_format(page.content_type, page.url), page.url)
            for dataset in sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=str):
                if isinstance(dataset, URIRef):
                    yield Listed(str(dataset), (graph, dataset))
                elif isinstance(dataset, BNode):
                    yield Listed(f"{page.url}#_:{dataset}", (graph, None))   # reported at the fetch stage
            url = self._next_page(graph, page.url)

    @staticmethod
    def _next_page(graph: Graph, page_url: str) -> str | None:
        targets = sorted(str(o) for p in NEXT_PAGE for o in graph.objects(None, p) if isinstance(o, URIRef))
        return urljoin(page_url, targets[0]) if targets else None

    def fetch(self, listed: Listed):
        graph, subject = listed.data
        if subject is None:
            raise RecordFailure("fetch", "a dataset without an IRI cannot be harvested: it has no stable identity")
        return graph, subject

    def map(self, raw) -> dict:
        graph, subject = raw
        return resource_from_rdf(graph, subject)

    def resource_code(self, raw) -> str | None:
        graph, subject = raw
        codes = sorted(str(o) for o in graph.objects(subject, DCT.identifier) if isinstance(o, Literal))
        return codes[0] if codes else None

    def snippet(self, listed: Listed) -> str | None:
        graph, subject = listed.data
        if subject is None:
            return None
        try:
            lines = graph.cbd(subject).serialize(format="nt").splitlines()
        except Exception:
            return None
        # The dataset's own statements first, each part in a stable order: the same record, the same snippet.
        own = f"<{subject}> "
        return "\n".join(sorted(lines, key=lambda line: (not line.startswith(own), line)))[:2000]

    def close(self) -> None:
        self.fetcher.close()
