"""The govcat vocabulary is a complete, bilingual RDF vocabulary, and the code uses only its terms."""
from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

import vocab
from vocab import namespaces as ns
from vocab.mapping import resource_to_rdf
from tests.vocab.conftest import BASE

ONTOLOGY = URIRef(ns.GOVCAT_ONTOLOGY)
GOVCAT = str(ns.PREFIXES["govcat"])


def declared_terms(graph) -> set[str]:
    return {str(s)[len(GOVCAT):] for s in graph.subjects() if str(s).startswith(GOVCAT)}


def test_the_vocabulary_declares_exactly_the_terms_the_code_may_use():
    graph = vocab.vocabulary_graph()
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in graph
    assert declared_terms(graph) == set(ns.GOVCAT_TERMS)


def test_every_term_is_labelled_and_defined_in_chinese_and_english():
    graph = vocab.vocabulary_graph()
    for name in ns.GOVCAT_TERMS:
        term = URIRef(GOVCAT + name)
        for predicate in (RDFS.label, SKOS.definition, RDFS.comment):
            languages = sorted(o.language for o in graph.objects(term, predicate) if isinstance(o, Literal))
            assert languages == ["en", "zh"], (name, predicate)
        assert (term, RDFS.isDefinedBy, ONTOLOGY) in graph, name
        if (term, RDF.type, OWL.NamedIndividual) not in graph:
            assert graph.value(term, RDFS.range) is not None, name
            kinds = set(graph.objects(term, RDF.type))
            assert kinds & {OWL.ObjectProperty, OWL.DatatypeProperty}, name


def test_the_ontology_document_describes_itself_in_both_languages():
    graph = vocab.vocabulary_graph()
    titles = {o.language for o in graph.objects(ONTOLOGY, ns.DCT.title)}
    assert titles == {"zh", "en"}
    assert graph.value(ONTOLOGY, ns.VANN.preferredNamespaceUri) == Literal(GOVCAT)


def test_the_mapping_uses_no_undeclared_govcat_term(demo_documents):
    declared = {URIRef(GOVCAT + name) for name in ns.GOVCAT_TERMS}
    graph = None
    for item in demo_documents:
        graph = resource_to_rdf(item["doc"], base=BASE, code=item["code"], graph=graph)
    used = {term for triple in graph for term in triple if str(term).startswith(GOVCAT)}
    assert used and used <= declared


def test_govcat_namespace_is_closed():
    import pytest
    with pytest.raises(AttributeError):
        ns.GOVCAT.shareTyp  # a typo fails at once


def test_vocabulary_graph_is_a_fresh_copy():
    first = vocab.vocabulary_graph()
    first.add((ONTOLOGY, RDFS.label, Literal("changed")))
    assert (ONTOLOGY, RDFS.label, Literal("changed")) not in vocab.vocabulary_graph()


def test_prefixes_are_bound_once_and_the_str_method_trap_is_avoided():
    manager = ns.namespace_manager()
    prefixes = dict(manager.namespaces())
    assert set(prefixes) == set(ns.PREFIXES)
    assert prefixes["govcat"] == URIRef("https://w3id.org/govcat/ns#")
    assert prefixes["eufreq"] == URIRef("http://publications.europa.eu/resource/authority/frequency/")
    # A plain rdflib Namespace is a str: DCT.title would be str.title.  These must be terms.
    for term in (ns.DCT.title, ns.DCT.format, ns.DCAT.keyword, ns.CSVW.title):
        assert isinstance(term, URIRef)
    graph = ns.new_graph()
    assert set(dict(graph.namespaces())) == set(ns.PREFIXES)
