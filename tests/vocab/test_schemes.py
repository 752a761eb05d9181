"""The concept schemes: every enumeration value a concept with Chinese and English labels."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from vocab import enumerations as v
from tests.vocab.conftest import BASE
from vocab import iris
from vocab import namespaces as ns
from vocab.schemes import FREQUENCY_CODES, add_used_concepts, classification_nodes, concept_schemes_graph
from vocab.mapping import resource_to_rdf

SKOS = ns.SKOS


def labels(graph, concept) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for label in graph.objects(concept, SKOS.prefLabel):
        found.setdefault(label.language, []).append(str(label))
    return found


@pytest.mark.parametrize("name", sorted(iris.GOVCAT_SCHEMES))
def test_each_national_enumeration_is_a_scheme_of_bilingual_concepts(name):
    graph = concept_schemes_graph(BASE)
    scheme = iris.govcat_scheme_iri(name)
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
    assert {t.language for t in graph.objects(scheme, ns.DCT.title)} == {"zh", "en"}
    for term in v.ENUMERATIONS[name]:
        concept = iris.govcat_concept_iri(name, term.key)
        assert str(concept).startswith("https://w3id.org/govcat/")
        assert (concept, SKOS.inScheme, scheme) in graph
        assert labels(graph, concept) == {"zh": [term.zh], "en": [term.en]}
        assert graph.value(concept, SKOS.notation) == Literal(term.key)


def test_concept_iris_are_as_documented():
    assert iris.govcat_concept_iri("share_type", "conditional") == \
        URIRef("https://w3id.org/govcat/share-type/conditional")
    assert iris.govcat_concept_iri("data_item_type", "C") == URIRef("https://w3id.org/govcat/data-item-type/C")
    assert iris.classification_iri(BASE, "301001") == URIRef(f"{BASE}/classification/301001")


def test_the_classification_tree_includes_every_department_under_its_parent(demo_departments):
    graph = concept_schemes_graph(BASE + "/", demo_departments)
    scheme = iris.classification_scheme_iri(BASE)
    for node in v.FIXED_CLASSIFICATION:
        concept = iris.classification_iri(BASE, node.code)
        assert labels(graph, concept) == {"zh": [node.zh], "en": [node.en]}
    by_credit = {d["credit_code"]: d for d in demo_departments}
    for department in demo_departments:
        concept = iris.classification_iri(BASE, department["branch_code"])
        assert (concept, SKOS.inScheme, scheme) in graph
        assert labels(graph, concept)["zh"] == [department["name"]]
        parent = by_credit[department["parent"]]["branch_code"] if department["parent"] else "3"
        assert (concept, SKOS.broader, iris.classification_iri(BASE, parent)) in graph
    tops = set(graph.objects(scheme, SKOS.hasTopConcept))
    assert tops == {iris.classification_iri(BASE, code) for code in "123"}


def test_departments_may_be_objects_or_classification_nodes():
    parent = SimpleNamespace(credit_code="A", branch_code="301", name="省厅", name_en=None, parent=None)
    child = SimpleNamespace(credit_code="B", branch_code="301001", name="市局", name_en="City bureau", parent=parent)
    node = SimpleNamespace(code="301001001001", parent_code="301001001", name="细目", name_en=None)
    found = {code: (up, zh, en) for code, up, zh, en in classification_nodes([parent, child, node])}
    assert found["301"] == ("3", "省厅", None)
    assert found["301001"] == ("301", "市局", "City bureau")
    assert found["301001001001"] == ("301001001", "细目", None)  # deeper than 细目's fixed width


def test_the_eu_subsets_carry_the_classes_dcat_ap_expects():
    graph = concept_schemes_graph(BASE)
    for key, code in FREQUENCY_CODES.items():
        concept = ns.EU_FREQUENCY[code]
        assert (concept, RDF.type, ns.DCT.Frequency) in graph
        assert labels(graph, concept)["zh"] == [v.UPDATE_FREQUENCIES[key].zh]
    assert (ns.EU_ACCESS_RIGHT.PUBLIC, RDF.type, ns.DCT.RightsStatement) in graph
    assert (ns.EU_FILE_TYPE.CSV, RDF.type, ns.DCT.MediaTypeOrExtent) in graph
    assert (ns.EU_LANGUAGE.ZHO, RDF.type, ns.DCT.LinguisticSystem) in graph
    assert (ns.EU_LICENCE.CC_BY_4_0, RDF.type, ns.DCT.LicenseDocument) in graph
    assert len({c for c in graph.subjects(SKOS.inScheme, URIRef(ns.EU_AUTHORITY + "data-theme"))}) == 13
    assert (iris.govcat_concept_iri("open_type", "conditional"), SKOS.exactMatch,
            ns.EU_ACCESS_RIGHT.RESTRICTED) in graph


def test_frequencies_map_as_the_issue_says():
    assert FREQUENCY_CODES == {"realtime": "CONT", "daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY",
                               "quarterly": "QUARTERLY", "semiannual": "BIANNUAL", "annual": "ANNUAL",
                               "irregular": "IRREG"}


def test_a_single_resource_can_carry_the_labels_of_its_concepts(demo_departments, demo_documents):
    schemes = concept_schemes_graph(BASE, demo_departments)
    item = demo_documents[0]
    graph = resource_to_rdf(item["doc"], base=BASE, code=item["code"])
    assert add_used_concepts(graph, schemes) >= 5
    theme = iris.classification_iri(BASE, item["doc"]["classification"])
    assert labels(graph, theme)["zh"]


def test_every_concept_has_one_label_per_language(demo_departments):
    graph = concept_schemes_graph(BASE, demo_departments)
    for concept in graph.subjects(RDF.type, SKOS.Concept):
        for language, values in labels(graph, concept).items():
            assert len(values) == 1, (concept, language)
