"""The compiled checker of govcat's profile finds exactly what pySHACL finds, and refuses SHACL it cannot check.

Agreement is checked on whole ``Finding`` objects (focus, path, value, severity, messages,
component and shape), on valid documents and on documents broken in every way the profile
forbids — through the mapping (a document the schema would refuse) and in the RDF itself (what a
harvested or uploaded graph may hold that the mapping never writes).
"""
from __future__ import annotations

import contextlib
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Literal, URIRef

from vocab.codes import format_resource_code
from tests.factories import DataItemFactory, DepartmentDataFactory, ResourceDataFactory
from tests.vocab.conftest import BASE, MODIFIED
from tests.vocab.strategies import CREDIT_CODES, metadata_documents
from vocab.catalog import catalog_to_rdf
from vocab.mapping import resource_to_rdf
from vocab import namespaces as ns
from vocab.schemes import concept_schemes_graph
from vocab.profile import (
    PROVISIONAL_SEQUENCE, CompiledProfile, ProfileCompileError, check_document, check_graph, govcat_checker,
    triple_index,
)
from vocab.validation import govcat_profile_text, shapes_graph, validate

AGREEMENT = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                              HealthCheck.data_too_large])
EU = "http://publications.europa.eu/resource/authority/"
SHARE_TYPE, FORMAT_CLASS = "https://w3id.org/govcat/share-type/", "https://w3id.org/govcat/format-class/"
PROVIDER = DepartmentDataFactory()["credit_code"]


def findings_of(graph) -> Counter:
    return Counter(validate(graph, "govcat").findings)


def assert_agree(graph) -> list:
    """The checker's findings for ``graph`` are pySHACL's, and its fast path agrees with its slow one."""
    mine = check_graph(graph)
    assert Counter(mine) == findings_of(graph)
    index = triple_index(graph)
    for focus, shape in govcat_checker().focus_shapes(index):
        assert shape.conforms(index, focus) == (not shape.evaluate(index, focus))
    return mine


def graph_of(doc: dict, code: str = "301001/000007"):
    return resource_to_rdf(doc, base=BASE, code=code, modified=MODIFIED)


def found_before_breaking(find):
    """``find`` answering, for a graph, what it found the first time: breaks applied one after another
    then all act on nodes of the unbroken graph (one may remove what another looks a node up by)."""
    def locate(graph):
        found = graph.__dict__.setdefault("_nodes_found", {})
        if find not in found:
            found[find] = find(graph)
        return found[find]
    return locate


@found_before_breaking
def dataset(graph) -> URIRef:
    return next(graph.subjects(ns.RDF.type, ns.DCAT.Dataset))


def database_doc(**changes) -> dict:
    doc = {**ResourceDataFactory(database=True, conditional_share=True, provider=PROVIDER), "issued": "2024-05-01",
           "data_services": [{"title": "查询接口", "endpoint_url": "https://api.example.gov.cn/q"}]}
    return {**doc, **changes}


# -- valid documents -----------------------------------------------------------------------------

def test_the_demo_catalog_conforms_for_both(demo_sample, demo_departments):
    graph = catalog_to_rdf(demo_sample, base=BASE, title="目录", description="演示。",
                           publisher={"name": "中心"},
                           modified=MODIFIED, departments={d["credit_code"]: d for d in demo_departments})
    assert assert_agree(graph) == []


def test_a_full_document_conforms_for_both():
    assert assert_agree(graph_of(database_doc())) == []


# -- documents broken through the mapping --------------------------------------------------------

# What a metadata document may say that the profile forbids (the schema refuses these too).
DOCUMENT_BREAKS = {
    "no provider": lambda doc: doc.pop("provider", None),
    "no classification": lambda doc: doc.pop("classification", None),
    "no frequency": lambda doc: doc.pop("update_frequency", None),
    "no sharing type": lambda doc: doc.pop("share_type", None),
    "no opening": lambda doc: doc.pop("open_type", None),
    "no format class": lambda doc: doc.pop("format_class", None),
    "no release date": lambda doc: doc.pop("issued", None),
    "no title": lambda doc: doc.pop("title", None),
    "only an English title": lambda doc: doc.update(title=None, title_en="A title"),
    "empty description": lambda doc: doc.update(description=""),
    "classified": lambda doc: doc.update(classified=True),
    "conditional sharing, no conditions": lambda doc: doc.update(share_type="conditional", share_conditions=None),
    "not shared, no basis": lambda doc: doc.update(share_type="none", share_basis=None),
    "shared, no method": lambda doc: doc.update(share_type="unconditional", share_method=None),
    "conditional opening, no conditions": lambda doc: doc.update(open_type="conditional", open_conditions=None),
    "a table without data items": lambda doc: doc.update(format_class="spreadsheet", data_items=None),
    "an interface without data items": lambda doc: doc.update(format_class="service_interface", data_items=[]),
    "a data item without a name": lambda doc: doc.update(data_items=[{"type": "C"}]),
    "a data item with an empty name": lambda doc: doc.update(data_items=[{"name": "", "type": "N"}]),
    "a data item without a type": lambda doc: doc.update(data_items=[{"name": "代码"}]),
    "a distribution without an access URL": lambda doc: doc.update(distributions=[{"title": "文件"}]),
    "a service without endpoint or title": lambda doc: doc.update(data_services=[{"endpoint_url": "not a url"}]),
    "a malformed provider code": lambda doc: doc.update(provider="11330000000100000"),
}


@pytest.mark.parametrize("name", sorted(DOCUMENT_BREAKS))
def test_each_document_break_is_found_alike(name):
    doc = database_doc()
    DOCUMENT_BREAKS[name](doc)
    doc = {key: value for key, value in doc.items() if value is not None}
    assert assert_agree(graph_of(doc)), f"{name}: the profile should refuse this"


@st.composite
def harvested_documents(draw) -> dict:
    """A valid document as a harvest leaves it: its provider set, like the source's department."""
    return {**draw(metadata_documents()), "provider": draw(CREDIT_CODES)}


@AGREEMENT
@given(harvested_documents(), st.lists(st.sampled_from(sorted(DOCUMENT_BREAKS)), max_size=3, unique=True))
def test_generated_documents_broken_or_not_are_judged_alike(doc, breaks):
    for name in breaks:
        DOCUMENT_BREAKS[name](doc)
    doc = {key: value for key, value in doc.items() if value is not None}
    code = format_resource_code(str(doc.get("classification")), 1)
    assert_agree(graph_of(doc, code))


# -- graphs broken in their RDF ------------------------------------------------------------------

def _set(predicate, *objects, of=dataset):
    def change(graph):
        subject = of(graph)
        graph.remove((subject, predicate, None))
        for obj in objects:
            graph.add((subject, predicate, obj))
    return change


def _add(predicate, obj, of=dataset):
    return lambda graph: graph.add((of(graph), predicate, obj))


@found_before_breaking
def _publisher(graph):
    return next(graph.objects(dataset(graph), ns.DCT.publisher))


@found_before_breaking
def _column(graph):
    return min(graph.subjects(ns.RDF.type, ns.CSVW.Column))


@found_before_breaking
def _distribution(graph):
    return min(graph.subjects(ns.DCAT.accessURL, None))


@found_before_breaking
def _service(graph):
    return next(graph.subjects(ns.RDF.type, ns.DCAT.DataService))


def _subclass_target(graph):
    """A node typed by a subclass of dcat:Dataset (declared in the data) is a dataset too."""
    graph.add((URIRef("https://example.org/PublicDataset"), ns.RDFS.subClassOf, ns.DCAT.Dataset))
    graph.add((URIRef("https://example.org/other"), ns.RDF.type, URIRef("https://example.org/PublicDataset")))


# What a graph may hold that the profile forbids: each constraint component it uses, on each shape.
GRAPH_BREAKS = {
    "identifier missing": _set(ns.DCT.identifier),
    "two identifiers": _add(ns.DCT.identifier, Literal("301001/000008")),
    "identifier not a code": _set(ns.DCT.identifier, Literal("301001-7")),
    "identifier an IRI": _set(ns.DCT.identifier, URIRef(f"{BASE}/resources/301001/000007")),
    "identifier a blank node": _set(ns.DCT.identifier, BNode("b1")),
    "two Chinese titles": _add(ns.DCT.title, Literal("又一个名称", lang="zh")),
    "two English titles": lambda g: [g.add((dataset(g), ns.DCT.title, Literal(t, lang="en"))) for t in ("A", "B")],
    "a regional Chinese title only": _set(ns.DCT.title, Literal("名称", lang="zh-CN")),
    "a Japanese title only": _set(ns.DCT.title, Literal("名称", lang="ja")),
    "a title without language": _set(ns.DCT.title, Literal("名称")),
    "an empty Chinese title": _set(ns.DCT.title, Literal("", lang="zh")),
    "an empty description": _set(ns.DCT.description, Literal("", lang="zh")),
    "description an IRI": _set(ns.DCT.description, URIRef("https://example.org/about")),
    "two classification nodes": _add(ns.DCAT.theme, URIRef(f"{BASE}/classification/302")),
    "classification a literal": _set(ns.DCAT.theme, Literal(f"{BASE}/classification/301")),
    "no publisher": _set(ns.DCT.publisher),
    "two publishers": _add(ns.DCT.publisher, URIRef(f"{BASE}/departments/{PROVIDER}-2")),
    "publisher a literal": _set(ns.DCT.publisher, Literal("某部门")),
    "publisher without identifier": _set(ns.DCT.identifier, of=_publisher),
    "publisher with a bad identifier": _add(ns.DCT.identifier, Literal("ABC"), of=_publisher),
    "format class unknown": _set(ns.GOVCAT.formatClass, URIRef(f"{FORMAT_CLASS}paper")),
    "two format classes": _add(ns.GOVCAT.formatClass, URIRef(f"{FORMAT_CLASS}image")),
    "sharing type unknown": _set(ns.GOVCAT.shareType, URIRef(f"{SHARE_TYPE}sometimes")),
    "sharing type none without basis": _set(ns.GOVCAT.shareType, URIRef(f"{SHARE_TYPE}none")),
    "two sharing methods": _add(ns.GOVCAT.shareMethod, URIRef("https://w3id.org/govcat/share-method/email")),
    "sharing method a literal": _set(ns.GOVCAT.shareMethod, Literal("email")),
    "opening restricted without conditions": _set(ns.DCT.accessRights, URIRef(f"{EU}access-right/RESTRICTED")),
    "opening unknown": _set(ns.DCT.accessRights, URIRef(f"{EU}access-right/SENSITIVE")),
    "frequency unknown": _set(ns.DCT.accrualPeriodicity, URIRef(f"{EU}frequency/TRIENNIAL")),
    "no frequency": _set(ns.DCT.accrualPeriodicity),
    "release a date-time": _set(ns.DCT.issued, Literal("2024-05-01T00:00:00", datatype=ns.XSD.dateTime)),
    "release an impossible date": _set(ns.DCT.issued, Literal("2024-13-45", datatype=ns.XSD.date)),
    "release plain text": _set(ns.DCT.issued, Literal("2024-05-01")),
    "two release dates": _add(ns.DCT.issued, Literal("2024-05-02", datatype=ns.XSD.date)),
    "modified a date": _set(ns.DCT.modified, Literal("2024-05-01", datatype=ns.XSD.date)),
    "no modified": _set(ns.DCT.modified),
    "relation a literal": _add(ns.DCT.relation, Literal("301001/000001")),
    "relation not a resource": _add(ns.DCT.relation, URIRef("https://example.org/elsewhere")),
    "classified": _add(ns.GOVCAT.classified, Literal(True)),
    "classified as text": _add(ns.GOVCAT.classified, Literal("false")),
    "conditions empty": _set(ns.GOVCAT.shareConditions, Literal("", lang="zh")),
    "no data items": _set(ns.DCT.conformsTo),
    "column without name": _set(ns.CSVW.name, of=_column),
    "column with two names": _add(ns.CSVW.name, Literal("别名"), of=_column),
    "column with an empty name": _set(ns.CSVW.name, Literal(""), of=_column),
    "column type unknown": _set(ns.GOVCAT.dataItemType, URIRef("https://w3id.org/govcat/data-item-type/X"), of=_column),
    "column length zero": _set(ns.GOVCAT.length, Literal("0", datatype=ns.XSD.positiveInteger), of=_column),
    "column length not a number": _set(ns.GOVCAT.length, Literal("长", datatype=ns.XSD.positiveInteger), of=_column),
    "column length an integer": _set(ns.GOVCAT.length, Literal(18), of=_column),
    "two column lengths": _add(ns.GOVCAT.length, Literal("20", datatype=ns.XSD.positiveInteger), of=_column),
    "distribution without access URL": _set(ns.DCAT.accessURL, of=_distribution),
    "access URL a literal": _set(ns.DCAT.accessURL, Literal("https://example.org/f"), of=_distribution),
    "download URL a literal": _add(ns.DCAT.downloadURL, Literal("https://example.org/f.csv"), of=_distribution),
    "service without title": _set(ns.DCT.title, of=_service),
    "service endpoint a literal": _set(ns.DCAT.endpointURL, Literal("https://api.example.gov.cn/q"), of=_service),
    "a dataset by subclass": _subclass_target,
    "a bare column": lambda g: g.add((BNode("c9"), ns.RDF.type, ns.CSVW.Column)),
    "a table format class": _set(ns.GOVCAT.formatClass, URIRef(f"{FORMAT_CLASS}spreadsheet")),
}


# Changes the profile accepts: a title tagged zh-CN is Chinese (sh:languageIn matches language
# ranges), and the spreadsheet has its data items.
STILL_VALID = {"a regional Chinese title only", "a table format class"}


@pytest.mark.parametrize("name", sorted(GRAPH_BREAKS))
def test_each_graph_break_is_found_alike(name):
    graph = graph_of(database_doc())
    GRAPH_BREAKS[name](graph)
    found = assert_agree(graph)
    assert bool(found) == (name not in STILL_VALID), found


@AGREEMENT
@given(st.lists(st.sampled_from(sorted(GRAPH_BREAKS)), min_size=1, max_size=4, unique=True),
       st.sampled_from(["unconditional", "conditional", "none"]), st.sampled_from(["electronic_file", "database"]))
def test_graphs_broken_several_ways_at_once_are_judged_alike(breaks, share_type, format_class):
    doc = database_doc(share_type=share_type, format_class=format_class, share_basis="《条例》。")
    if share_type == "none":
        doc.pop("share_method")
    graph = graph_of(doc)
    for find in (dataset, _publisher, _column, _distribution, _service):   # the nodes of the unbroken graph
        with contextlib.suppress(StopIteration, ValueError):
            find(graph)
    for name in breaks:
        GRAPH_BREAKS[name](graph)
    assert_agree(graph)


def test_the_profile_needs_no_concept_scheme_beside_the_data(demo_departments):
    """What govcat publishes for a resource comes with its concepts; the profile reads none of them."""
    graph = graph_of(database_doc(open_type="conditional"))
    with_schemes = validate(graph, "govcat", background=concept_schemes_graph(BASE, demo_departments))
    assert Counter(with_schemes.findings) == Counter(check_graph(graph))
    assert [f.message_en for f in with_schemes.findings] == [
        "Conditional opening (RESTRICTED) needs the opening conditions (govcat:openConditions)."]


# -- check_document ------------------------------------------------------------------------------

def test_check_document_is_the_profile_on_the_published_graph():
    doc = database_doc(share_conditions=None, data_items=None)
    found = check_document(doc, BASE, code="301001/000007", modified=MODIFIED)
    assert Counter(found) == findings_of(graph_of(doc))
    assert {f.message_en for f in found} == {
        "Conditional sharing needs the sharing conditions (govcat:shareConditions).",
        "Spreadsheets, databases and service interfaces must list their data items "
        "(csvw:column of dct:conformsTo)."}
    assert all(f.message_zh and f.focus == f"{BASE}/resources/301001/000007" for f in found)


def test_check_document_adds_what_publication_adds():
    """Before registration a document has no code, no modification time and maybe no release date."""
    doc = {**ResourceDataFactory(provider=PROVIDER, classification="301001"), "description": ""}
    assert "issued" not in doc
    found = check_document(doc, BASE)
    provisional = format_resource_code("301001", PROVISIONAL_SEQUENCE)
    assert [(f.focus, f.path, f.component) for f in found] == [
        (f"{BASE}/resources/{provisional}", str(ns.DCT.description), "QualifiedMinCountConstraintComponent")]
    assert check_document({**doc, "description": "摘要。"}, BASE) == []


def test_check_document_refuses_a_top_level_classification_as_registration_does():
    """The schema accepts the class code "3", but no resource code can be made of it."""
    found = check_document(ResourceDataFactory(provider=PROVIDER, classification="3"), BASE)
    assert [(f.path, f.component, f.value) for f in found] == [
        (str(ns.DCT.identifier), "PatternConstraintComponent", format_resource_code("3", PROVISIONAL_SEQUENCE))]


def test_a_data_item_list_breaks_each_item_on_its_own():
    doc = database_doc(data_items=[DataItemFactory(), {"name": "", "type": "C"}, DataItemFactory()])
    found = check_document(doc, BASE, code="301001/000007", modified=MODIFIED)
    assert [(f.focus.rsplit("#", 1)[-1], f.component) for f in found] == [
        ("column-2", "MinLengthConstraintComponent")]


# -- compiling -----------------------------------------------------------------------------------

def profile_with(turtle: str):
    from rdflib import Graph
    graph = Graph().parse(data=govcat_profile_text(), format="turtle")
    return graph.parse(data="@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
                            "@prefix govcatsh: <https://w3id.org/govcat/shapes#> .\n"
                            "@prefix dct: <http://purl.org/dc/terms/> .\n"
                            "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n" + turtle, format="turtle")


def test_the_profile_compiles_with_every_shape():
    checker = govcat_checker()
    assert set(checker.targets) == {ns.DCAT.Dataset, ns.DCAT.Distribution, ns.DCAT.DataService, ns.CSVW.Column}
    assert len(checker.targets[ns.DCAT.Dataset]) == 6     # the core elements and five conditional rules
    assert CompiledProfile(shapes_graph("govcat")).targets.keys() == checker.targets.keys()


@pytest.mark.parametrize("turtle,refused", [
    ("govcatsh:ResourceShape sh:property [ sh:path dct:title ; sh:maxLength 500 ; sh:message 'x' ] .", "maxLength"),
    ("govcatsh:ResourceShape sh:property [ sh:path [ sh:inversePath dct:isPartOf ] ; sh:minCount 1 ;"
     " sh:message 'x' ] .", "inversePath"),
    ("govcatsh:ResourceShape sh:property [ sh:path dct:title ; sh:class dct:Text ; sh:message 'x' ] .", "class"),
    ("govcatsh:ResourceShape sh:closed true .", "closed"),
    ("govcatsh:ResourceShape sh:deactivated true .", "deactivated"),
    ("govcatsh:ProviderShape sh:targetNode <https://example.org/d> .", "targetNode"),
    ("govcatsh:X a sh:NodeShape ; sh:targetClass dcat:Dataset ; sh:sparql [ sh:select 'SELECT $this {}' ] .",
     "sparql"),
    ("govcatsh:X a sh:NodeShape ; sh:targetClass dcat:Dataset ; sh:property [ sh:path dct:title ;"
     " sh:pattern '^a' ; sh:flags 'i' ; sh:message 'x' ] .", "flags"),
    ("govcatsh:X a sh:NodeShape ; sh:targetClass dcat:Dataset ; sh:property [ sh:path dct:title ;"
     " sh:qualifiedValueShape [ sh:minLength 1 ] ; sh:qualifiedMinCount 1 ; sh:qualifiedValueShapesDisjoint true ;"
     " sh:message 'x' ] .", "qualifiedValueShapesDisjoint"),
    ("govcatsh:X a sh:NodeShape ; sh:targetClass dcat:Dataset ; sh:property [ sh:path dct:title ;"
     " sh:minCount 1 ] .", "no sh:message"),
    ("govcatsh:X a sh:NodeShape ; sh:targetClass dcat:Dataset ; sh:property [ sh:path dct:title ;"
     " sh:minCount 1, 2 ; sh:message 'x' ] .", "minCount"),
    ("govcatsh:X a sh:NodeShape ; sh:targetClass dcat:Dataset ; sh:uniqueLang true ; sh:message 'x' .",
     "property shape"),
])
def test_shacl_the_compiler_does_not_implement_refuses_compilation(turtle, refused):
    with pytest.raises(ProfileCompileError, match=refused):
        CompiledProfile(profile_with(turtle))


def test_a_shape_only_tested_for_conformance_needs_no_message():
    graph = profile_with("govcatsh:X a sh:NodeShape ; sh:targetClass dcat:Dataset ; sh:message 'x' ;"
                         " sh:or ( [ sh:path dct:title ; sh:minCount 1 ]"
                         " [ sh:path dct:description ; sh:minCount 1 ] ) .")
    assert ns.DCAT.Dataset in CompiledProfile(graph).targets
