"""Harvesting DCAT catalogs: Turtle, RDF/XML, JSON-LD or N-Triples, paged with Hydra or in one big file.

This module only says how to list a DCAT source and how to map one of its datasets; the job
around it is :class:`harvesters.base.Harvester`'s.  The listing follows the next page in each form
publishers write Hydra (:class:`Paging`: ``hydra:next`` or ``hydra:nextPage``, an IRI or — as
ckanext-dcat writes it — a string literal, on the page, its paged collection or its view) from page
to page, one page in memory at a time; a page seen twice is a paging loop and, like a page past
``max_pages``, fails the job — a listing that did not end cleanly is not complete, so nothing may
be withdrawn after it.  A page too big for memory is spooled to disk by the fetcher and cut into
records as a stream (:mod:`harvesters.dcat_stream`).  JSON-LD contexts named by address are
govcat's own copies (:mod:`harvesters.contexts`) or refused, never fetched.  Each ``dcat:Dataset``
named by an IRI is one record, mapped by :func:`vocab.mapping.resource_from_rdf`; its IRI is the
original identifier kept in the provenance.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from functools import partial
from typing import ClassVar
from urllib.parse import urljoin, urlsplit

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF

from harvesters.base import JobFailure, Listed, RecordFailure, RemoteHarvester
from harvesters.contexts import inline_known_contexts
from harvesters.dcat_stream import MARK_SHIFT, StreamedCatalog
from harvesters.http import FetchError
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
# The nodes a page's paging is said of: the Hydra 2013 paged collection (ckanext-dcat's), today's view.
PAGING_TYPES = (HYDRA.PagedCollection, HYDRA.PartialCollectionView)


def rdf_format(content_type: str, url: str) -> str:
    """The rdflib parser for a page, from its content type, else its extension (else Turtle)."""
    if content_type in FORMATS_BY_TYPE:
        return FORMATS_BY_TYPE[content_type]
    path = urlsplit(url).path.lower()
    for extension, name in FORMATS_BY_EXTENSION.items():
        if path.endswith(extension):
            return name
    return "turtle"


OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "xml": ox.RdfFormat.RDF_XML, "json-ld": ox.RdfFormat.JSON_LD,
              "nt": ox.RdfFormat.N_TRIPLES}
A = f"<{RDF.type}>"
NOT_OWNED = {f"{A} <{DCAT[name]}>" for name in ("Dataset", "Catalog", "CatalogRecord")}
IS_DATASET = f"{A} <{DCAT.Dataset}>"
SERVES_DATASET = f"<{DCAT.servesDataset}>"
NEXT_PAGE_NT = {f"<{p}>" for p in NEXT_PAGE}
PAGING_NT = {f"{A} <{t}>" for t in PAGING_TYPES}
VIEW_NT = f"<{HYDRA.view}>"
PAGING_PREDICATES = NEXT_PAGE_NT | {VIEW_NT, A}     # the statements :class:`Paging` reads
# How far a dataset's record reaches: dataset → distribution → checksum / service → … ; deeper is not metadata.
RECORD_DEPTH = 4


class Page:
    """One page of a DCAT catalog, parsed and indexed by subject.

    Statements are kept as N-Triples lines (pyoxigraph writes them; a line splits at its first two
    spaces into subject, predicate and object), which is both the cheapest form to index and the
    form a record travels in to the process that maps it.
    """

    def __init__(self, triples, url: str):
        self.url = url
        self.by_subject: dict[str, list[str]] = defaultdict(list)
        self.services: dict[str, list[str]] = defaultdict(list)      # dataset → services that serve it
        self.links: dict[str, list[str]] = defaultdict(list)         # node → the nodes it points to
        self.datasets: list[str] = []
        self.paging = Paging(url)
        not_owned = set()
        for triple in triples:
            line = str(triple)
            subject, rest = line.split(" ", 1)
            self.by_subject[subject].append(line)
            if rest in NOT_OWNED:
                not_owned.add(subject)
                if rest == IS_DATASET:
                    self.datasets.append(subject)
                continue
            predicate, obj = rest.split(" ", 1)
            if obj[0] != '"':
                self.links[subject].append(obj)
            if predicate == SERVES_DATASET:
                self.services[obj].append(subject)
            elif predicate in PAGING_PREDICATES:
                self.paging.read(subject, rest, predicate, obj)
        self._not_owned = not_owned

    def next_page(self) -> str | None:
        return self.paging.next_page()

    def record(self, dataset: str) -> str:
        """The dataset's record as N-Triples: its statements and those of the nodes it owns.

        It owns what it points to that the page describes (distributions, contact points, schemas,
        the concepts and agents it names…), to :data:`RECORD_DEPTH`, and the services that declare
        they serve it; other datasets and catalogs are never part of it.
        """
        return cut_record(self, dataset)


def cut_record(index, dataset: str, marks: dict | None = None, position: int | None = None) -> str | int:
    """The record of ``dataset`` out of ``index`` (a :class:`Page`, or the window of a big file that
    :mod:`harvesters.dcat_stream` reads): see :meth:`Page.record`.

    For a window, ``marks`` (node hash → its last line, shifted) and ``position`` (the last line read;
    ``None``: the whole file is read) tell whether a node the record takes may still be said more of
    further down; then the record is not whole yet, and the answer is that node's last line.
    """
    end, shift = position is None, MARK_SHIFT
    lines, seen, todo = [], {dataset}, [(dataset, 0)]
    todo += [(service, 1) for service in index.services.get(dataset, ()) if service not in seen]
    seen.update(service for service, _depth in todo)
    by_subject, links, not_owned = index.by_subject, index.links, index._not_owned
    while todo:
        node, depth = todo.pop()
        if not end:
            last = marks.get(hash(node), 0) // shift
            if last > position:
                return last
        lines += by_subject.get(node, ())
        if depth < RECORD_DEPTH:
            for obj in links.get(node, ()):
                if obj not in seen and obj in by_subject and obj not in not_owned:
                    seen.add(obj)
                    todo.append((obj, depth + 1))
                elif not end and obj not in seen and obj not in not_owned and marks.get(hash(obj), 0) // shift > position:
                    return marks[hash(obj)] // shift       # described further down: not whole yet
    return " .\n".join(lines) + " ."


class Paging:
    """Where a page says the next page is, in each form publishers write Hydra.

    ``hydra:next`` or the older ``hydra:nextPage``, with the address as an IRI or — as ckanext-dcat
    writes its ``hydra:PagedCollection`` — as a string literal (plain or ``xsd:anyURI``); said of the
    page itself, of a ``hydra:PagedCollection`` / ``hydra:PartialCollectionView`` node (an IRI or a
    blank node), or of a view that a collection names with ``hydra:view``.  When several nodes name
    a next page, those said of the page or of a paging node win over any other; a next page that is
    the page itself is no next page.
    """

    def __init__(self, url: str):
        self.url = url
        self.links: list[tuple[str, str]] = []      # (subject, address as written)
        self.paging_nodes: set[str] = set()

    def read(self, subject: str, rest: str, predicate: str, obj: str) -> None:
        if predicate in NEXT_PAGE_NT:
            address = _address(obj)
            if address:
                self.links.append((subject, address))
        elif rest in PAGING_NT:
            self.paging_nodes.add(subject)
        elif predicate == VIEW_NT:
            self.paging_nodes.add(obj)

    def next_page(self) -> str | None:
        here = {f"<{self.url}>"}
        candidates = [(subject, urljoin(self.url, address)) for subject, address in self.links]
        candidates = [(s, a) for s, a in candidates if a != self.url and urlsplit(a).scheme in ("http", "https")]
        preferred = [a for s, a in candidates if s in self.paging_nodes or s in here]
        chosen = preferred or [a for _s, a in candidates]
        return sorted(chosen)[0] if chosen else None


def _address(obj: str) -> str | None:
    """The address an N-Triples object gives: an IRI, or the text of a literal (ckanext-dcat's form)."""
    if obj.startswith("<"):
        return obj[1:-1]
    if obj.startswith('"'):
        text = str(_term(obj)).strip()
        return text or None
    return None


def record_digest(text: str) -> str:
    """A digest of a record's N-Triples that does not depend on the order of the statements or on the
    labels the parser gave its blank nodes: each blank node stands for the digest of what it says."""
    if "_:" not in text:
        # No blank nodes (the usual case): the statements in the order the page gave them.  A source
        # that reorders its output costs a mapping, never a wrong answer: the content hash decides.
        return hashlib.sha256(text.encode()).hexdigest()
    lines = text.splitlines()
    subjects: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for line in lines:
        subject, predicate, rest = line.split(" ", 2)
        subjects[subject].append((predicate, rest[:-2]))
    memo: dict[str, str] = {}

    def node(label: str, depth: int = 0) -> str:
        if label in memo:
            return memo[label]
        memo[label] = "_:cycle"                # a blank-node cycle hashes the same each time
        parts = sorted(f"{p} {node(o) if o.startswith('_:') and depth < 8 else o}"
                       for p, o in subjects.get(label, ()))
        memo[label] = "_:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()
        return memo[label]

    roots = sorted(s for s in subjects if not s.startswith("_:"))
    return hashlib.sha256("\n".join(f"{s}\n{node(s)}" for s in roots).encode()).hexdigest()


def parse_page(body: bytes, fmt: str, url: str) -> Page:
    """The triples of one page, indexed; raise :class:`JobFailure` if it is not well-formed."""
    if fmt == "json-ld":
        body = _with_known_contexts(body, url)
    elif fmt == "xml" and b"<!ENTITY" in body[:_prolog_end(body)]:
        raise JobFailure("gather", f"{url[:200]} declares XML entities; they are not accepted")
    try:
        return Page(ox.parse(body, format=OX_FORMATS[fmt], base_iri=url), url)
    except (SyntaxError, ValueError) as error:
        raise JobFailure("gather", f"{url[:200]} is not well-formed {fmt}: {str(error)[:500]}") from None


def _with_known_contexts(body: bytes, url: str) -> bytes:
    """A JSON-LD page with the contexts govcat ships put in place of their addresses; :class:`JobFailure`
    if it names any other context by address (the parser would fetch it) or is not JSON."""
    try:
        document = json.loads(body)
    except ValueError as error:
        raise JobFailure("gather", f"{url[:200]} is not JSON: {error}") from None
    document, unknown, replaced = inline_known_contexts(document)
    if unknown:
        raise JobFailure("gather", f"{url[:200]}: the remote JSON-LD context {unknown[0][:200]} is not fetched; "
                                   "inline it (govcat ships the DCAT-AP 3 and DCAT-US 3 contexts)")
    return json.dumps(document, ensure_ascii=False).encode("utf-8") if replaced else body


def _prolog_end(body: bytes) -> int:
    """Where an XML document's prolog (the only place a DOCTYPE may declare entities) ends."""
    doctype = body.find(b"<!DOCTYPE")
    if doctype < 0:
        return 0
    end = body.find(b"]>", doctype)
    return len(body) if end < 0 else end


class RecordGraph:
    """A record's statements in rdflib terms, read by :mod:`vocab.reading` (through ``objects``,
    ``subjects`` and ``in`` only) — much lighter than a whole rdflib Graph.

    It reads the N-Triples that :class:`Page` wrote (pyoxigraph's canonical form: one statement a
    line, terms separated by single spaces), term by term with caches: IRIs, predicates and
    repeated literals are made once per process.  The index is keyed by the N-Triples text of
    subject and predicate: hashing text is several times cheaper than hashing rdflib terms.
    """

    def __init__(self, text: str):
        self._objects: dict[tuple[str, str], list] = defaultdict(list)
        self._serving: dict[str, list] = defaultdict(list)
        objects, known = self._objects, _TERMS.get
        # Statements end with " .\n" (the last with " ."); N-Triples escapes line breaks in literals.
        for line in text[:-2].split(" .\n"):
            subject, predicate, obj = line.split(" ", 2)
            term = known(obj)
            objects[subject, predicate].append(_term(obj) if term is None else term)
            if predicate == SERVES_DATASET:
                self._serving[obj].append(_term(subject))

    def objects(self, subject=None, predicate=None):
        return iter(self._objects.get((_text(subject), _text(predicate)), ()))

    def subjects(self, predicate=None, obj=None):
        if _text(predicate) != SERVES_DATASET:
            raise NotImplementedError("a record answers subjects() for dcat:servesDataset only")
        return iter(self._serving.get(_text(obj), ()))

    def __contains__(self, triple) -> bool:
        s, p, o = triple
        values = self._objects.get((_text(s), _text(p)), ())
        return bool(values) if o is None else o in values


def _text(term) -> str:
    """The N-Triples text of an IRI or a blank node (remembered per term object: reading a record asks
    for the same few terms hundreds of times)."""
    entry = _TEXTS.get(id(term))
    if entry is not None and entry[0] is term:
        return entry[1]
    # str.__add__ explicitly: "<" + term would call the term's __radd__ and make another URIRef.
    text = _concat("_:", term) if type(term) is BNode else _concat("<", term) + ">"
    if len(_TEXTS) >= _TERM_CACHE_SIZE:
        _TEXTS.clear()                        # a record's own terms never come back: start afresh
    _TEXTS[id(term)] = (term, text)           # the entry keeps the term alive: its id is not reused
    return text


_concat = str.__add__
_TEXTS: dict[int, tuple] = {}


_TERMS: dict[str, object] = {}
# Predicates, concepts and common literals repeat across records; each record's own IRIs and texts
# do not, so a full cache is emptied and refills with what recurs: memory stays bounded.
_TERM_CACHE_SIZE = 20_000
_ESCAPE = re.compile(r'\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)')
_ESCAPED = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(match: re.Match) -> str:
    code = match.group(1)
    return chr(int(code[1:], 16)) if code[0] in "uU" and len(code) > 1 else _ESCAPED.get(code, code)


def _term(text: str):
    """The rdflib term of one N-Triples term."""
    term = _TERMS.get(text)
    if term is not None:
        return term
    if text[0] == "<":
        term = _iri(text[1:-1])
    elif text[0] == "_":
        return BNode(text[2:])
    else:
        end = text.rindex('"')
        value = text[1:end]
        if "\\" in value:
            value = _ESCAPE.sub(_unescape, value)
        suffix = text[end + 1:]
        if suffix.startswith("@"):
            term = Literal(value, lang=suffix[1:], normalize=False)     # a string: nothing to normalize
        elif suffix.startswith("^^<"):
            datatype = suffix[3:-1]
            term = Literal(value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))
        else:
            term = Literal(value, normalize=False)
    if len(_TERMS) >= _TERM_CACHE_SIZE:
        _TERMS.clear()
    _TERMS[text] = term
    return term


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# A URIRef is a str; URIRef() would check the IRI again only to log a warning — the parser checked it.
_iri = partial(str.__new__, URIRef)


class _Spooled:
    """A page's body that is a file on disk (see :meth:`DcatHarvester._digest_page`)."""

    def __init__(self, path: str):
        self.path = path


def _listed(url: str, dataset: str, record) -> Listed:
    if dataset.startswith("<"):
        return Listed(dataset[1:-1], record(dataset))
    return Listed(f"{url}#{dataset}", None)        # a blank node: reported at the fetch stage


class DcatHarvester(RemoteHarvester):
    """A DCAT catalog, possibly paged with Hydra."""

    type = "dcat"
    parallel = True

    # A body past this many bytes is spooled to disk and read as a stream (harvesters/dcat_stream.py).
    spool_after: ClassVar[int] = 32 * 1024 * 1024

    def gather(self):
        url, seen_pages = self.source.url, set()
        while url:
            if url in seen_pages:
                raise JobFailure("gather", f"paging loop: {url[:200]} was listed twice")
            self.check_page_count(len(seen_pages))
            seen_pages.add(url)
            try:
                fetched = self.fetcher.get(url, accept=ACCEPT, spool_after=self.spool_after)
            except FetchError as error:
                raise JobFailure("gather", str(error)) from None
            try:
                same = self.page_unchanged(url, fetched.body if fetched.path is None else _Spooled(fetched.path))
                if same is not None:
                    yield from (Listed(original_id, None, unchanged=True) for original_id in same.original_ids)
                    url = same.next_url
                    continue
                fmt = rdf_format(fetched.content_type, fetched.url)
                if fetched.path is not None:
                    url = yield from self._stream(url, fetched, fmt)
                    continue
                page = parse_page(fetched.body, fmt, fetched.url)
            finally:
                fetched.discard()
            del fetched
            listed = [_listed(page.url, d, page.record) for d in sorted(set(page.datasets))]
            next_url = page.next_page()
            del page                  # only the records are kept: the next page is not parsed beside this one
            self.page_read(url, next_url, listed)
            yield from listed
            url = next_url

    def _stream(self, url: str, fetched, fmt: str):
        """List the datasets of a spooled page as they are cut from it; return the next page's address."""
        catalog = StreamedCatalog(fetched.path, fmt, fetched.url)
        ids = []
        try:
            for dataset, record in catalog.records():
                listed = _listed(fetched.url, dataset, lambda _d, text=record: text)
                ids.append(Listed(listed.original_id, None))
                yield listed
        finally:
            catalog.close()
        next_url = catalog.paging.next_page()
        self.page_read(url, next_url, ids)
        return next_url

    def _digest_page(self, url: str, body) -> str:
        """A spooled page is digested from its file, a chunk at a time (never read whole into memory)."""
        if not isinstance(body, _Spooled):
            return super()._digest_page(url, body)
        digest = hashlib.sha256(f"{self._fingerprint}\n{url}\n".encode())
        with open(body.path, "rb") as file:
            for chunk in iter(lambda: file.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()

    def fetch(self, listed: Listed):
        if listed.data is None:
            raise RecordFailure("fetch", "a dataset without an IRI cannot be harvested: it has no stable identity")
        return RecordGraph(listed.data), URIRef(listed.original_id)

    def raw_digest(self, listed: Listed) -> str | None:
        return record_digest(listed.data) if listed.data is not None else None

    def map(self, raw) -> dict:
        graph, subject = raw
        warnings: list = []
        doc = resource_from_rdf(graph, subject, warnings=warnings)
        if warnings:     # what was read but could not be kept: the core reports it with the record
            doc["_warnings"] = warnings
        return doc

    def resource_code(self, raw) -> str | None:
        graph, subject = raw
        codes = sorted(str(o) for o in graph.objects(subject, DCT.identifier) if isinstance(o, Literal))
        return codes[0] if codes else None

    def snippet(self, listed: Listed) -> str | None:
        if listed.data is None:
            return None
        # The dataset's own statements first, each part in a stable order: the same record, the same snippet.
        own = f"<{listed.original_id}> "
        return "\n".join(sorted(listed.data.splitlines(), key=lambda line: (not line.startswith(own), line)))[:2000]
