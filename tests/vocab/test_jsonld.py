"""govcat's JSON-LD context: stable terms for every property govcat publishes."""
from __future__ import annotations

import json

from rdflib import Graph
from rdflib.compare import isomorphic

from tests.vocab.conftest import BASE
from vocab import jsonld_context, namespaces as ns
from vocab.catalog import catalog_to_rdf
from vocab.jsonld import to_jsonld
from vocab.schemes import concept_schemes_graph


def expand(context: dict, value: str) -> str:
    prefix, _, local = value.partition(":")
    return str(context[prefix]) + local if prefix in context and not local.startswith("//") else value


def test_the_prefixes_are_govcats_prefixes():
    context = jsonld_context()["@context"]
    for prefix, namespace in ns.PREFIXES.items():
        if prefix in context:
            assert context[prefix] == str(namespace), prefix
    assert {"dcat", "dct", "govcat", "skos", "vcard", "csvw", "spdx", "hydra"} <= set(context)


def test_every_property_govcat_publishes_has_a_term(demo_sample, demo_departments):
    context = jsonld_context()["@context"]
    graph = catalog_to_rdf(demo_sample, base=BASE, title="目录", description="描述", publisher={"name": "中心"},
                           departments={d["credit_code"]: d for d in demo_departments})
    graph += concept_schemes_graph(BASE, demo_departments)
    defined = {expand(context, d if isinstance(d, str) else d["@id"]) for key, d in context.items()
               if not key.startswith("@") and not (isinstance(d, str) and d.endswith(("/", "#")))}
    used = {str(p) for p in graph.predicates()} - {str(ns.RDF.type)}
    assert used <= defined, used - defined


def test_json_ld_output_uses_the_terms_and_parses_back(demo_sample):
    graph = catalog_to_rdf(demo_sample[:5], base=BASE, title="目录", description="描述", publisher={"name": "中心"})
    text = to_jsonld(graph)
    document = json.loads(text)
    nodes = {node["@id"]: node for node in document["@graph"]}
    dataset = nodes[f"{BASE}/resources/{demo_sample[0]['code']}"]
    assert dataset["title"]["zh"] == demo_sample[0]["title"]
    assert dataset["identifier"] == demo_sample[0]["code"]
    assert "shareType" in dataset and "accrualPeriodicity" in dataset
    assert isomorphic(graph, Graph().parse(data=text, format="json-ld"))


def test_the_context_may_be_referenced_by_url(demo_sample):
    graph = catalog_to_rdf(demo_sample[:1], base=BASE, title="目录", description="描述", publisher={"name": "中心"})
    document = json.loads(to_jsonld(graph, context_url="https://w3id.org/govcat/context.jsonld"))
    assert document["@context"] == "https://w3id.org/govcat/context.jsonld"
