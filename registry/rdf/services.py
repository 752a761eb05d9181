"""The published catalog as DCAT-AP RDF: pages of it, single resources, and dumps of the whole.

Everything goes through the mapping in ``vocab/`` (one resource → its triples) and the catalog
helpers beside it; what this module adds is the catalog's own context — which resources a page
holds (the search engine's answer, so the RDF endpoints take every search filter), the Hydra
links between pages, and writing large outputs in pieces so memory stays flat.
"""
from __future__ import annotations

import json
import logging
import multiprocessing
import zlib
from concurrent.futures import ProcessPoolExecutor
from itertools import chain
from dataclasses import replace
from typing import Iterator

from flask import current_app
from rdflib import URIRef
from rdflib.namespace import SKOS
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.db import Database
from registry.departments.models import Department
from registry.departments.services import list_departments
from registry.resources.models import Resource
from registry.resources.origins import resource_origins
from registry.resources.services import resource_representation
from registry.rdf.formats import RdfFormat
from registry.rdf.fragments import published_fragments
from registry.rdf.writing import TripleSink, to_ox, write
from registry.search.engine import SearchEngine
from registry.search.query import SearchQuery
from registry.search.services import search_resources
from vocab import iris
from vocab.catalog import add_agent, add_catalog, add_catalog_datasets, add_page_view, provenance_triples
from vocab.mapping import resource_triples
from vocab.namespaces import DCAT
from vocab.jsonld import jsonld_context, to_jsonld
from vocab.schemes import concept_schemes_graph

log = logging.getLogger(__name__)
DUMP_BATCH = 200
CATALOG_DESCRIPTION = "汇集各部门政务信息资源的目录，包括共享与开放属性。"
CATALOG_DESCRIPTION_EN = "The catalog of the information resources of every department, with their sharing and opening."


def settings(base_url: str | None = None) -> dict:
    config = current_app.config
    return {"base": (config.get("GOVCAT_BASE_URL") or base_url or "http://localhost:5000").rstrip("/"),
            "title": config["GOVCAT_CATALOG_TITLE"], "publisher": config["GOVCAT_CATALOG_PUBLISHER"]}


def _departments(session: Session, codes) -> dict[str, Department]:
    codes = set(codes)
    if not codes:
        return {}
    # Ordered: without it the agents' order follows the database's plan, and a dump would change with it.
    rows = session.scalars(select(Department).where(Department.credit_code.in_(codes)).order_by(Department.credit_code))
    return {d.credit_code: d for d in rows}


def _catalog_node(graph, site: dict):
    return add_catalog(graph, base=site["base"], title=site["title"], title_en="Government information-resource catalog",
                       description=CATALOG_DESCRIPTION, description_en=CATALOG_DESCRIPTION_EN,
                       publisher={"name": site["publisher"]}, homepage=site["base"] + "/")


_concepts_cache: dict = {}


def _concept_descriptions(session: Session, base: str) -> dict:
    """Each concept IRI of the schemes → the triples that describe it (type, scheme, labels).

    Built once per catalog state: the classification tree changes only with the departments.
    """
    stamp = session.info.get("govcat.departments_stamp")
    if stamp is None:       # read once a session: a page asks several times, the departments do not change meanwhile
        stamp = tuple(session.execute(select(func.count(Department.id), func.max(Department.modified_at))).one())
        session.info["govcat.departments_stamp"] = stamp
    key = (base, stamp)
    if key not in _concepts_cache:
        schemes = concept_schemes_graph(base, list_departments(session))
        described: dict = {}
        for triple in schemes.triples((None, None, None)):
            if triple[1] not in (SKOS.topConceptOf, SKOS.narrower, SKOS.hasTopConcept):
                described.setdefault(triple[0], []).append(triple)
        _concepts_cache.clear()
        _concepts_cache[key] = {concept: sorted(triples) for concept, triples in described.items()}
    return _concepts_cache[key]


def add_representations(graph, session: Session, items: list[dict], site: dict, catalog=None) -> int:
    """Add resources (API representations) with their publishers; return how many could not be mapped.

    The concepts the resources point to (classification, frequency, access rights, themes …) come
    along with their types and labels, so a page is understood — and passes DCAT-AP's class
    ranges — on its own, without fetching the schemes.
    """
    def mapped(index: int, department):
        subject, triples = resource_triples(items[index], base=site["base"], department=department)
        return subject, triples, ()

    entries = [(item.get("id"), item.get("code"), item.get("provider")) for item in items]
    return _add_resources(graph, session, entries, site, catalog, mapped)


def add_published_rows(graph: TripleSink, session: Session, rows: list[Resource], site: dict, catalog=None) -> int:
    """The same for public resources given as rows (their documents need not be read), into a sink
    for pyoxigraph: each resource's triples come ready from ``fragments.py`` when it holds them."""
    ready = published_fragments(session, rows, site["base"], _concept_descriptions(session, site["base"]))

    def kept(index: int, department):
        if isinstance(ready[index], Exception):
            raise ready[index]
        return ready[index]

    entries = [(row.id, row.code, row.department.credit_code) for row in rows]
    # The rows came with their departments: in code order, as _departments gives them.
    departments = {d.credit_code: d for d in sorted({row.department for row in rows}, key=lambda d: d.credit_code)}
    return _add_resources(graph, session, entries, site, catalog, kept, departments)


def _add_resources(graph, session: Session, entries: list[tuple], site: dict, catalog, triples_of,
                   departments: dict | None = None) -> int:
    """``entries``: (id, code, provider) of each resource; ``triples_of(index, department)`` gives
    its subject, its triples and the concepts among them when it knows them; ``departments``: theirs,
    by credit code, when the caller has them."""
    if departments is None:
        departments = _departments(session, (provider for _, _, provider in entries))
    for department in departments.values():
        if graph.converted:
            _add_converted_agent(graph, site["base"], department)
        else:
            add_agent(graph, site["base"], department)
    start, failed, used = len(graph.triples), 0, set()
    origins = resource_origins(session, [rid for rid, _, _ in entries if rid is not None])
    for index, (rid, code, provider) in enumerate(entries):
        try:
            subject, triples, concepts = triples_of(index, departments.get(provider))
        except Exception:  # one bad record never costs the page
            log.warning("skipped resource %s", code, exc_info=True)
            failed += 1
            continue
        graph.triples.extend(triples)     # a fragment's: pyoxigraph's in a converted sink, rdflib's otherwise
        used.update(concepts)
        origin = origins.get(rid)
        if origin is not None:
            graph.extend(provenance_triples(subject, **origin))
        if catalog is not None:
            graph.add((catalog, DCAT.dataset, subject))
    describe_concepts(graph, session, site["base"], start, used)
    return failed


_agents_cache: dict = {}


def _add_converted_agent(sink: TripleSink, base: str, department: Department) -> None:
    """A department's agent triples, converted once for what they are made of (its code and names)."""
    key = (base, department.credit_code, department.name, department.name_en)
    found = _agents_cache.get(key)
    if found is None:
        made = TripleSink(converted=True)
        add_agent(made, base, department)
        found = (made.triples, [iri for _, iri in made.pointed_to])
        if len(_agents_cache) > 10_000:
            _agents_cache.clear()
        _agents_cache[key] = found
    position = len(sink.triples)
    sink.pointed_to.extend((position, iri) for iri in found[1])
    sink.triples.extend(found[0])


def describe_concepts(sink: TripleSink, session: Session, base: str, start: int = 0, used=()) -> None:
    """Add the descriptions of the concepts and schemes that the triples from ``start`` on point to
    (rdflib triples; the concepts of converted triples come in ``used``)."""
    described = _concept_descriptions(session, base)
    if sink.converted:      # what its rdflib triples pointed to was noted as they were converted
        pointed = (iri for position, iri in sink.pointed_to if position >= start)
    else:
        pointed = (t[2] for t in sink.triples[start:] if type(t) is tuple and isinstance(t[2], URIRef))
    used = set(used) | {iri for iri in pointed if iri in described}
    converted = _converted_descriptions(described) if sink.converted else described
    for concept in sorted(used):      # sorted: the same data always gives the same output
        sink.triples.extend(converted[concept])


_converted_cache: dict = {}


def _converted_descriptions(described: dict) -> dict:
    """The concept descriptions as pyoxigraph triples, converted once per catalog state."""
    found = _converted_cache.get(id(described))
    if found is None or found[0] is not described:
        found = (described, {concept: to_ox(triples) for concept, triples in described.items()})
        _converted_cache.clear()
        _converted_cache[id(described)] = found
    return found[1]


def catalog_page(session: Session, engine: SearchEngine, query: SearchQuery, site: dict, page_url,
                 converted: bool = False) -> TripleSink:
    """One page of the published catalog: the catalog, its datasets on this page, Hydra links.

    ``converted``: the page goes to pyoxigraph (not JSON-LD), so resources come from ``fragments.py``.
    """
    answer = search_resources(session, engine, None, replace(query, facets=()), rows_only=converted)
    graph = TripleSink(converted=converted)
    catalog = _catalog_node(graph, site)
    describe_concepts(graph, session, site["base"])
    (add_published_rows if converted else add_representations)(graph, session, answer["items"], site, catalog)
    last = max(answer["pages"], 1)
    add_page_view(graph, catalog, page_url(query.page), total=answer["total"], first=page_url(1), last=page_url(last),
                  next_page=page_url(query.page + 1) if query.page < last else None,
                  previous_page=page_url(query.page - 1) if query.page > 1 else None)
    return graph


def resource_graph(session: Session, resource: Resource, site: dict, revision: str = "published") -> TripleSink:
    """One resource in ``revision`` ("published", or "working" for those who may read it)."""
    graph = TripleSink()
    add_representations(graph, session, [resource_representation(resource, revision)], site)
    return graph


def serialize(sink: TripleSink, fmt: RdfFormat) -> bytes:
    if fmt.extension == "jsonld":
        return to_jsonld(sink.graph()).encode("utf-8")
    return write(sink.triples, fmt.extension, converted=sink.converted)


# -- dumps --------------------------------------------------------------------------------------

def _published_batches(database: Database) -> Iterator[tuple[Session, list[dict]]]:
    with database.reader() as session:
        batch = []
        rows = session.scalars(select(Resource).where(Resource.is_public.is_(True)).order_by(Resource.id)
                               .execution_options(yield_per=DUMP_BATCH))
        for resource in rows:
            batch.append(resource_representation(resource, "published"))
            if len(batch) == DUMP_BATCH:
                yield session, batch
                batch = []
        if batch:
            yield session, batch


def dump_chunks(database: Database, fmt: RdfFormat, site: dict, progress=None, jobs: int = 1) -> Iterator[bytes]:
    """The whole published catalog in ``fmt``, piece by piece, in constant memory.

    N-Triples pieces simply follow each other.  Turtle pieces share the one prefix block of the
    first piece.  JSON-LD is one document whose ``@graph`` collects each piece's nodes.  With
    ``jobs`` > 1, Turtle and N-Triples pieces are rendered by that many worker processes (the
    work is Python and the machine has cores to spare) and written in catalog order.
    """
    head = TripleSink()
    _catalog_node(head, site)
    with database.reader() as session:
        describe_concepts(head, session, site["base"])
    if fmt.extension == "jsonld":
        yield ('{"@context": ' + json.dumps(jsonld_context()["@context"], ensure_ascii=False)
               + ', "@graph": [').encode("utf-8")
        first = True
        batches = (_batch_sink(session, items, site, progress) for session, items in _published_batches(database))
        for sink in chain([head], batches):
            for node in json.loads(to_jsonld(sink.graph())).get("@graph", []):
                yield (("" if first else ",") + "\n" + json.dumps(node, ensure_ascii=False)).encode("utf-8")
                first = False
        yield b"\n]}\n"
        return
    yield _text(head, fmt.extension, prefixes=True)
    if jobs <= 1:
        for session, items in _published_batches(database):
            yield _text(_batch_sink(session, items, site, progress), fmt.extension)
        return
    with database.reader() as session:
        ids = list(session.scalars(select(Resource.id).where(Resource.is_public.is_(True)).order_by(Resource.id)))
    tasks = [(ids[i:i + DUMP_BATCH], fmt.extension, site) for i in range(0, len(ids), DUMP_BATCH)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker, initargs=(database.url,)) as pool:
        for text, count in pool.map(_render_ids, tasks, chunksize=4):
            if progress:
                progress(count)
            yield text


def _batch_sink(session: Session, items: list[dict], site: dict, progress=None) -> TripleSink:
    sink = TripleSink()
    add_representations(sink, session, items, site)
    add_catalog_datasets(sink, iris.catalog_iri(site["base"]),
                         (iris.resource_iri(site["base"], item["code"]) for item in items))
    if progress:
        progress(len(items))
    return sink


def _text(sink: TripleSink, extension: str, prefixes: bool = False) -> bytes:
    text = write(sink.triples, extension)
    if extension == "ttl" and not prefixes:
        text = b"\n".join(line for line in text.split(b"\n") if not line.startswith(b"@prefix"))
    return text


_worker: dict = {}


def _start_worker(url: str) -> None:
    # A forked worker opens its own connections; the parent's pool is never shared across processes.
    _worker["database"] = Database(url)


def _render_ids(task) -> tuple[bytes, int]:
    ids, extension, site = task
    with _worker["database"].reader() as session:
        rows = session.scalars(select(Resource).where(Resource.id.in_(ids)).order_by(Resource.id))
        items = [resource_representation(resource, "published") for resource in rows]
        return _text(_batch_sink(session, items, site), extension), len(items)


def gzipped(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Compress a stream of pieces as they come (gzip format)."""
    stream = zlib.compressobj(6, zlib.DEFLATED, 31)
    for chunk in chunks:
        data = stream.compress(chunk)
        if data:
            yield data
    yield stream.flush()
