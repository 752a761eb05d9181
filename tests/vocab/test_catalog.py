"""The catalog node and page-by-page output: functions that add to the graph they are given."""
from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from tests.vocab.conftest import BASE, MODIFIED
from vocab import namespaces as ns
from vocab.catalog import add_agent, add_catalog, add_catalog_datasets, add_page_view, add_resources, catalog_to_rdf
from vocab.mapping import canonical_metadata, resource_from_rdf, split_envelope

CATALOG = URIRef(f"{BASE}/catalog")
CENTRE = {"name": "目录管理中心", "name_en": "Catalog centre"}


def test_the_catalog_node_has_what_dcat_ap_requires():
    graph = ns.new_graph()
    catalog = add_catalog(graph, base=BASE, title="政务信息资源目录", title_en="Government information resources",
                          description="演示", publisher=CENTRE, modified=MODIFIED,
                          homepage="https://data.example.gov.cn/")
    assert catalog == CATALOG
    assert (catalog, RDF.type, ns.DCAT.Catalog) in graph
    assert {t.language for t in graph.objects(catalog, ns.DCT.title)} == {"zh", "en"}
    publisher = graph.value(catalog, ns.DCT.publisher)
    assert graph.value(publisher, ns.FOAF.name, any=True) is not None
    assert (catalog, ns.DCAT.themeTaxonomy, URIRef(f"{BASE}/classification")) in graph
    assert (catalog, ns.DCT.modified, Literal(MODIFIED, datatype=ns.XSD.dateTime)) in graph


def test_a_catalog_is_streamed_page_by_page(demo_sample, demo_departments):
    """Each page is its own small graph; together they hold the same triples as one big graph."""
    departments = {d["credit_code"]: d for d in demo_departments}
    pages = []
    for start in range(0, len(demo_sample), 15):
        page = ns.new_graph()
        subjects, failed = add_resources(page, demo_sample[start:start + 15], base=BASE, departments=departments)
        add_catalog_datasets(page, CATALOG, subjects)
        add_page_view(page, CATALOG, f"{BASE}/catalog?page={start // 15 + 1}", total=len(demo_sample),
                      first=f"{BASE}/catalog?page=1", last=f"{BASE}/catalog?page=3",
                      next_page=f"{BASE}/catalog?page={start // 15 + 2}" if start + 15 < len(demo_sample) else None)
        assert failed == 0
        pages.append(page.serialize(format="nt"))
    merged = Graph()
    for text in pages:
        merged.parse(data=text, format="nt")  # fragment IRIs, no blank nodes: pages concatenate
    assert len(set(merged.objects(CATALOG, ns.DCAT.dataset))) == len(demo_sample)
    for record in demo_sample:
        doc, envelope = split_envelope(record)
        subject = URIRef(f"{BASE}/resources/{envelope['code']}")
        assert resource_from_rdf(merged, subject) == canonical_metadata(doc)
        publisher = merged.value(subject, ns.DCT.publisher)
        assert merged.value(publisher, ns.FOAF.name, any=True) is not None


def test_catalog_to_rdf_links_every_dataset(demo_sample, demo_departments):
    graph = catalog_to_rdf(demo_sample, base=BASE, title="目录", description="描述", publisher=CENTRE,
                           departments={d["credit_code"]: d for d in demo_departments})
    assert len(set(graph.objects(CATALOG, ns.DCAT.dataset))) == len(demo_sample)


def test_a_department_publisher_is_the_department_node():
    graph = ns.new_graph()
    node = add_agent(graph, BASE, {"credit_code": "113301000024821588", "name": "杭州市某局", "name_en": None})
    assert node == URIRef(f"{BASE}/departments/113301000024821588")
    assert (node, ns.DCT.identifier, Literal("113301000024821588")) in graph
