"""A resource's metadata survives the trip to DCAT-AP RDF and back, field for field."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from registry.resources.schemas import ResourceSchema, normalize_metadata
from tests.vocab.conftest import BASE, MODIFIED
from tests.vocab.strategies import canonical_documents, metadata_documents
from rdflib import Literal, URIRef

from vocab import namespaces as ns
from vocab.mapping import MAPPED_FIELDS, METADATA_FIELDS, canonical_metadata, resource_from_rdf, resource_to_rdf

CODE = "101001/000007"
SUBJECT = URIRef(f"{BASE}/resources/{CODE}")
ROUND_TRIP = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                               HealthCheck.data_too_large])


def round_trip(doc: dict) -> dict:
    return resource_from_rdf(resource_to_rdf(doc, base=BASE, code=CODE), SUBJECT)


@ROUND_TRIP
@given(canonical_documents())
def test_a_canonical_document_comes_back_exactly(doc):
    assert round_trip(doc) == normalize_metadata(doc)


@ROUND_TRIP
@given(metadata_documents())
def test_any_valid_document_comes_back_in_canonical_form(data):
    doc = normalize_metadata(data)
    assert round_trip(doc) == canonical_metadata(doc)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(metadata_documents())
def test_canonical_form_changes_only_what_rdf_cannot_tell_apart(data):
    doc = normalize_metadata(data)
    canonical = canonical_metadata(doc)
    assert canonical_metadata(canonical) == canonical
    assert normalize_metadata(canonical) == canonical  # still a valid document
    dropped = set(doc) - set(canonical)
    for field in dropped:
        if field.endswith("_lang"):      # zh is the default; a language for no keywords says nothing
            assert doc[field].lower() == "zh" or field == "keywords_lang" and not doc.get("keywords")
        elif field in ("title_en", "description_en"):    # a text in English has no English translation
            assert doc[field.replace("_en", "_lang")].lower() == "en"
        else:
            assert doc[field] in ([], {})
    for field in ("keywords", "themes", "language", "related_codes"):
        if field in canonical:
            assert set(canonical[field]) == set(doc[field])


def test_every_field_of_the_schema_is_mapped():
    assert MAPPED_FIELDS == METADATA_FIELDS == set(ResourceSchema().fields)


FULL = {
    "title": "杭州市企业登记信息", "title_en": "Enterprise registrations, Hangzhou",
    "description": "第一行\n第二行：<b>“引号”</b> & 'single'", "description_en": "Line one\r\nline two",
    "classification": "102001", "provider": "113301000024821588", "provider_unit": "信息中心",
    "format_class": "database", "format_type": "mysql",
    "data_items": [
        {"name": "统一社会信用代码", "type": "C", "length": 18, "description": "GB 32100"},
        {"name": "注册资本", "type": "Y", "length": 18},
        {"name": "备注", "type": "M"},
        {"name": "成立日期", "type": "D", "description": ""},
        {"name": "通用", "type": "G"},
    ],
    "share_type": "conditional", "share_conditions": "仅限履行法定职责使用", "share_method": "platform_api",
    "open_type": "conditional", "open_conditions": "实名注册后申请", "update_frequency": "semiannual",
    "issued": "2021-03-04", "related_codes": ["102001/000002", "201/000003"],
    "keywords": ["Enterprise", "企业", "法人"], "themes": ["ECON", "GOVE"], "spatial": "330100",
    "temporal": {"start": "2015-01-01", "end": "2020-12-31"},
    "contact_point": {"name": "数据管理处", "email": "data@hz.example.gov.cn", "phone": "(0571) 8888-0000"},
    "license": "CC-BY-4.0", "language": ["en", "zh", "zh-Hant"],
    "distributions": [
        {"title": "下载（CSV）", "description": "全量", "access_url": "https://data.example.gov.cn/d/企业",
         "download_url": "https://data.example.gov.cn/f/e.csv?v=1&x=%20", "format": "CSV", "media_type": "text/csv",
         "byte_size": 0, "license": "CC0-1.0",
         "checksum": {"algorithm": "sha256", "value": "ab" * 32}},
        {"access_url": "ftp://10.0.0.1/pub", "format": "OFD", "license": "政府数据开放许可（自定义）",
         "checksum": {"algorithm": "sm3", "value": "abc" * 11}},
        {"access_url": "http://intranet/x", "format": "MP4", "byte_size": 10 ** 13,
         "license": "https://example.org/licence"},
    ],
    "data_services": [
        {"title": "企业查询接口", "endpoint_url": "https://api.example.gov.cn/enterprises/v1",
         "endpoint_description": "https://api.example.gov.cn/enterprises/v1/openapi.json"},
        {"title": "第二接口", "endpoint_url": "https://api.example.gov.cn/other",
         "endpoint_description": "调用前须申请令牌。\n按日限额 1000 次。"},
    ],
    "classified": False,
}


def test_a_document_with_every_field_comes_back_exactly():
    doc = normalize_metadata(FULL)
    assert canonical_metadata(doc) == doc
    assert round_trip(doc) == doc


def test_the_dataset_is_dcat_ap_as_domain_md_maps_it():
    graph = resource_to_rdf({"code": CODE, "modified": MODIFIED, "provider_name": "杭州市市场监督管理局",
                             **normalize_metadata(FULL)}, base=BASE)
    s = SUBJECT
    assert (s, ns.RDF.type, ns.DCAT.Dataset) in graph
    assert (s, ns.DCT.identifier, Literal(CODE)) in graph
    assert (s, ns.DCT.title, Literal("杭州市企业登记信息", lang="zh")) in graph
    assert (s, ns.DCT.title, Literal("Enterprise registrations, Hangzhou", lang="en")) in graph
    assert (s, ns.DCAT.theme, URIRef(f"{BASE}/classification/102001")) in graph
    assert (s, ns.DCAT.theme, URIRef("http://publications.europa.eu/resource/authority/data-theme/ECON")) in graph
    publisher = URIRef(f"{BASE}/departments/113301000024821588")
    assert (s, ns.DCT.publisher, publisher) in graph
    assert (publisher, ns.RDF.type, ns.FOAF.Organization) in graph
    assert (publisher, ns.FOAF.name, Literal("杭州市市场监督管理局", lang="zh")) in graph
    assert (s, ns.GOVCAT.shareType, URIRef("https://w3id.org/govcat/share-type/conditional")) in graph
    assert (s, ns.DCT.accessRights,
            URIRef("http://publications.europa.eu/resource/authority/access-right/RESTRICTED")) in graph
    assert (s, ns.DCT.accrualPeriodicity,
            URIRef("http://publications.europa.eu/resource/authority/frequency/BIANNUAL")) in graph
    assert (s, ns.DCT.issued, Literal("2021-03-04", datatype=ns.XSD.date)) in graph
    assert (s, ns.DCT.modified, Literal(MODIFIED, datatype=ns.XSD.dateTime)) in graph
    assert (s, ns.DCT.relation, URIRef(f"{BASE}/resources/201/000003")) in graph
    assert (s, ns.DCT.spatial, URIRef(f"{BASE}/regions/330100")) in graph
    assert (s, ns.DCT.license, URIRef("http://publications.europa.eu/resource/authority/licence/CC_BY_4_0")) in graph
    assert (s, ns.DCT.language, URIRef("http://publications.europa.eu/resource/authority/language/ZHO")) in graph
    contact = graph.value(s, ns.DCAT.contactPoint)
    assert (contact, ns.VCARD.hasEmail, URIRef("mailto:data@hz.example.gov.cn")) in graph
    assert (contact, ns.VCARD.hasTelephone, URIRef("tel:(0571)%208888-0000")) in graph
    schema = graph.value(s, ns.DCT.conformsTo)
    assert (schema, ns.RDF.type, ns.CSVW.Schema) in graph
    assert len(list(graph.objects(schema, ns.CSVW.column))) == 5
    first = URIRef(f"{SUBJECT}#distribution-1")
    assert (first, ns.DCAT.byteSize, Literal("0", datatype=ns.XSD.nonNegativeInteger)) in graph
    assert (first, ns.DCT.format, URIRef("http://publications.europa.eu/resource/authority/file-type/CSV")) in graph
    assert (first, ns.DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/text/csv")) in graph
    service = URIRef(f"{SUBJECT}#service-1")
    assert (service, ns.DCAT.servesDataset, s) in graph
    assert (URIRef(f"{SUBJECT}#service-1-distribution"), ns.DCAT.accessService, service) in graph


def test_the_envelope_gives_code_and_modified_and_the_document_nothing_else():
    envelope = {"id": 7, "code": CODE, "state": "published", "version": 3, "revision": "published",
                "has_pending_revision": False, "provider_name": "某部门", "created": MODIFIED,
                "modified": MODIFIED, **normalize_metadata(FULL)}
    graph = resource_to_rdf(envelope, base=BASE + "/")
    assert resource_from_rdf(graph, SUBJECT) == normalize_metadata(FULL)
    assert graph.value(SUBJECT, ns.DCT.modified) == Literal(MODIFIED, datatype=ns.XSD.dateTime)


def test_order_of_data_items_distributions_and_services_is_kept():
    doc = normalize_metadata(FULL)
    doc["data_items"] = list(reversed(doc["data_items"]))
    doc["distributions"] = list(reversed(doc["distributions"]))
    doc["data_services"] = list(reversed(doc["data_services"]))
    assert round_trip(doc) == doc


def test_every_demo_resource_comes_back(demo_documents):
    for item in demo_documents:
        subject = URIRef(f"{BASE}/resources/{item['code']}")
        graph = resource_to_rdf(item["doc"], base=BASE, code=item["code"])
        assert resource_from_rdf(graph, subject) == canonical_metadata(item["doc"]), item["code"]


def test_resources_share_a_graph_without_mixing(demo_documents):
    graph = None
    for item in demo_documents[:30]:
        graph = resource_to_rdf(item["doc"], base=BASE, code=item["code"], graph=graph)
    for item in demo_documents[:30]:
        subject = URIRef(f"{BASE}/resources/{item['code']}")
        assert resource_from_rdf(graph, subject) == canonical_metadata(item["doc"])
