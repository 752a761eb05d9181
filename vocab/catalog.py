"""The catalog around the resources: dcat:Catalog, publishers, pages of a long listing.

The RDF endpoints publish a catalog of tens of thousands of resources, page by page or as one
dump.  Every function here *adds* to a graph it is given, so a caller can build a page, write
it, and start the next one with an empty graph — nothing needs the whole catalog in memory.
One resource that cannot be converted is skipped with a logged warning (:func:`add_resources`);
it never costs the page.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from vocab import iris
from vocab.mapping import add_resource, split_envelope
from vocab.namespaces import DCAT, DCT, EU_DATA_THEME, FOAF, HYDRA, new_graph
from vocab.terms import WEB_SCHEMES, date_time_literal, safe_iri, text_literal
from vocab.values import language_to_rdf

log = logging.getLogger(__name__)
EU_DATA_THEME_SCHEME = URIRef(str(EU_DATA_THEME).rstrip("/"))
# Original identifiers worth publishing as dct:source: web addresses and OAI identifiers.
PROVENANCE_SCHEMES = WEB_SCHEMES | {"oai", "urn"}


def _get(item, name):
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def add_agent(graph: Graph, base: str, agent, *, fallback: URIRef | None = None) -> URIRef | None:
    """A publisher (foaf:Organization) from a department-like dict or object, or an IRI as given.

    With a credit code the agent is the department's IRI (``{base}/departments/{code}``), the same
    node every resource of that department points to; without one, ``fallback`` names it.
    """
    if isinstance(agent, URIRef):
        return agent
    if agent is None:
        return None
    base = iris.catalog_base(base)
    code = _get(agent, "credit_code")
    node = iris.department_iri(base, code) if code else fallback
    if node is None:
        return None
    graph.add((node, RDF.type, FOAF.Organization))
    graph.add((node, RDF.type, FOAF.Agent))
    for value, lang in ((_get(agent, "name"), "zh"), (_get(agent, "name_en"), "en")):
        if value:
            graph.add((node, FOAF.name, text_literal(value, lang)))
    if code:
        graph.add((node, DCT.identifier, Literal(code)))
    return node


def add_catalog(graph: Graph, *, base: str, title: str, description: str, publisher, title_en: str | None = None,
                description_en: str | None = None, modified=None, homepage: str | None = None,
                languages: Iterable[str] = ("zh",), iri: URIRef | None = None) -> URIRef:
    """The dcat:Catalog node: titles, descriptions, publisher, theme taxonomies; returns its IRI.

    ``publisher`` is the catalog centre as a department-like dict or object (``name``,
    ``name_en``, optional ``credit_code``) or an IRI.  Datasets are linked separately, page by
    page, with :func:`add_catalog_datasets`.
    """
    base = iris.catalog_base(base)
    catalog = iri or iris.catalog_iri(base)
    graph.add((catalog, RDF.type, DCAT.Catalog))
    for value, predicate, lang in ((title, DCT.title, "zh"), (title_en, DCT.title, "en"),
                                   (description, DCT.description, "zh"), (description_en, DCT.description, "en")):
        literal = text_literal(value, lang) if value else None
        if literal is not None:
            graph.add((catalog, predicate, literal))
    agent = add_agent(graph, base, publisher, fallback=iris.part_iri(catalog, "publisher"))
    if agent is not None:
        graph.add((catalog, DCT.publisher, agent))
    graph.add((catalog, DCAT.themeTaxonomy, iris.classification_scheme_iri(base)))
    graph.add((catalog, DCAT.themeTaxonomy, EU_DATA_THEME_SCHEME))
    for tag in languages:
        language = language_to_rdf(tag)
        if language is not None:
            graph.add((catalog, DCT.language, language))
    stamp = date_time_literal(modified) if modified is not None else None
    if stamp is not None:
        graph.add((catalog, DCT.modified, stamp))
    page = safe_iri(homepage, schemes={"http", "https"}, what="homepage") if homepage else None
    if page is not None:
        graph.add((catalog, FOAF.homepage, page))
        graph.add((page, RDF.type, FOAF.Document))
    return catalog


def add_catalog_datasets(graph: Graph, catalog: URIRef, datasets: Iterable) -> int:
    """Link ``datasets`` (IRIs) to the catalog with dcat:dataset; returns how many."""
    count = 0
    for dataset in datasets:
        graph.add((catalog, DCAT.dataset, dataset))
        count += 1
    return count


def add_resources(graph: Graph, resources: Iterable[dict], *, base: str, departments: Mapping | None = None,
                  catalog: URIRef | None = None) -> tuple[list[URIRef], int]:
    """Add resources (envelopes, or documents with a ``code``); returns their IRIs and how many failed.

    ``departments`` maps credit codes to department-like dicts or objects, so that each
    publisher carries its names.  When ``catalog`` is given each dataset is linked to it.
    """
    subjects, failed = [], 0
    for resource in resources:
        try:
            doc, _envelope = split_envelope(resource)
            department = departments.get(doc.get("provider")) if departments else None
            subject = add_resource(graph, resource, base=base, department=department)
        except Exception:  # one bad record never costs the page
            failed += 1
            log.warning("skipped resource %r", resource.get("code") if isinstance(resource, dict) else resource,
                        exc_info=True)
            continue
        subjects.append(subject)
        if catalog is not None:
            graph.add((catalog, DCAT.dataset, subject))
    return subjects, failed


def add_page_view(graph: Graph, collection: URIRef, page: str, *, total: int, first: str, last: str,
                  next_page: str | None = None, previous_page: str | None = None) -> URIRef:
    """Hydra paging links of one page of a listing (``hydra:PartialCollectionView``)."""
    view = URIRef(page)
    graph.add((collection, HYDRA.totalItems, Literal(str(total), datatype=XSD.nonNegativeInteger)))
    graph.add((collection, HYDRA.view, view))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    for predicate, target in ((HYDRA.first, first), (HYDRA.last, last), (HYDRA.next, next_page),
                              (HYDRA.previous, previous_page)):
        if target:
            graph.add((view, predicate, URIRef(target)))
    return view


def catalog_to_rdf(resources: Iterable[dict], *, base: str, title: str, description: str, publisher,
                   departments: Mapping | None = None, **catalog_options) -> Graph:
    """A whole (small) catalog as one graph: the catalog node, its datasets and their publishers."""
    graph = new_graph()
    catalog = add_catalog(graph, base=base, title=title, description=description, publisher=publisher,
                          **catalog_options)
    for department in (departments or {}).values():
        add_agent(graph, base, department)
    add_resources(graph, resources, base=base, departments=departments, catalog=catalog)
    return graph


def provenance_triples(subject: URIRef, *, original: str, source_url: str, source_name: str,
                       harvested_at) -> list[tuple]:
    """Where a harvested resource's metadata came from, in PROV's terms.

    ``prov:wasDerivedFrom`` names what it was derived from (the department system's own IRI for
    the dataset), and a qualified ``prov:Derivation`` says by which harvest: an activity that used
    the source's address and ended at the harvest time.  Not ``dct:source``: DCAT-AP 3 gives it
    the range ``dcat:Dataset`` on a dataset, which would make every original a second dataset of
    the page (with the title and description that requires, and harvested again by whoever
    harvests govcat).  Nothing is published for an original identifier that is not an IRI.
    """
    original_iri = safe_iri(original, schemes=PROVENANCE_SCHEMES, what="original identifier")
    if original_iri is None:
        return []
    derivation, activity = URIRef(f"{subject}#derivation"), URIRef(f"{subject}#harvest")
    triples = [(subject, PROV.wasDerivedFrom, original_iri), (subject, PROV.qualifiedDerivation, derivation),
               (derivation, RDF.type, PROV.Derivation), (derivation, PROV.entity, original_iri),
               (derivation, PROV.hadActivity, activity), (activity, RDF.type, PROV.Activity),
               (activity, RDFS.label, Literal(f"采集：{source_name}", lang="zh")),
               (activity, RDFS.label, Literal(f"Harvest: {source_name}", lang="en"))]
    used, ended = safe_iri(source_url, what="harvest source address"), date_time_literal(harvested_at)
    if used is not None:
        triples.append((activity, PROV.used, used))
    if ended is not None:
        triples.append((activity, PROV.endedAtTime, ended))
    return triples
