"""The demo catalog, as govcat publishes it, conforms to DCAT-AP 3.0.1 and to govcat's own profile."""
from __future__ import annotations

import copy

import pytest
from rdflib import URIRef

from registry.resources.schemas import normalize_metadata
from tests.vocab.conftest import BASE, MODIFIED
from vocab.catalog import catalog_to_rdf
from vocab.mapping import resource_to_rdf
from vocab.schemes import concept_schemes_graph
from vocab.validation import DANGLING_SHAPES, validate

CENTRE = {"name": "浙江省大数据发展管理局", "name_en": "Zhejiang Big Data Development Administration"}


@pytest.fixture(scope="module")
def demo_graph(demo_sample, demo_departments):
    return catalog_to_rdf(demo_sample, base=BASE, title="浙江省政务信息资源目录（演示）",
                          title_en="Zhejiang government information resource catalog (demo)",
                          description="演示目录的四十条信息资源。", publisher=CENTRE, modified=MODIFIED,
                          departments={d["credit_code"]: d for d in demo_departments})


@pytest.fixture(scope="module")
def schemes(demo_departments):
    return concept_schemes_graph(BASE, demo_departments)


def test_the_sample_spans_the_model(demo_sample):
    assert len(demo_sample) == 40
    assert {r["share_type"] for r in demo_sample} == {"unconditional", "conditional", "none"}
    assert {r["open_type"] for r in demo_sample} == {"unconditional", "conditional", "none"}
    assert len({r["format_class"] for r in demo_sample}) >= 5
    assert any(r.get("data_services") for r in demo_sample) and any(r.get("data_items") for r in demo_sample)


@pytest.mark.parametrize("profile", ["dcat-ap", "dcat-ap-full"])
def test_the_demo_catalog_conforms_to_dcat_ap(profile, demo_graph, schemes, dcat_ap_dir):
    """shapes.ttl (mandatory) with range.ttl, and the generated dcat-ap-SHACL.ttl: no violation."""
    report = validate(demo_graph, profile, standards_dir=dcat_ap_dir, background=schemes)
    assert report.count("Violation") == 0, report.text()
    assert report.conforms or report.count("Violation") == 0


def test_the_generated_dcat_ap_file_has_two_undefined_shapes_that_are_ignored(demo_graph, schemes, dcat_ap_dir):
    validate(demo_graph, "dcat-ap-full", standards_dir=dcat_ap_dir, background=schemes)
    dangling = next(refs for path, refs in DANGLING_SHAPES.items() if path.endswith("dcat-ap-SHACL.ttl"))
    assert len(dangling) == 2 and all("DataServiceShape" in ref for ref in dangling)


def test_the_concept_schemes_themselves_conform(schemes, dcat_ap_dir):
    report = validate(schemes, "dcat-ap", standards_dir=dcat_ap_dir)
    assert report.count("Violation") == 0, report.text()


def test_range_shapes_need_the_concept_schemes_beside_the_data(demo_graph, dcat_ap_dir):
    """Without the schemes a theme is not known to be a skos:Concept: DCAT-AP's ranges say so."""
    report = validate(demo_graph, "dcat-ap-range", standards_dir=dcat_ap_dir)
    assert report.count("Violation") > 0
    assert {f.component for f in report.violations} == {"ClassConstraintComponent"}


def test_dcat_ap_catches_a_missing_mandatory_property(demo_sample, schemes, dcat_ap_dir):
    graph = resource_to_rdf(demo_sample[0], base=BASE)
    subject = next(graph.subjects(predicate=None, object=URIRef("http://www.w3.org/ns/dcat#Dataset")))
    graph.remove((subject, URIRef("http://purl.org/dc/terms/description"), None))
    report = validate(graph, "dcat-ap", standards_dir=dcat_ap_dir, background=schemes)
    assert [f.path for f in report.violations] == ["http://purl.org/dc/terms/description"]


def test_the_demo_catalog_conforms_to_the_govcat_profile(demo_graph):
    report = validate(demo_graph, "govcat")
    assert report.conforms, report.text()


def broken(record: dict, **changes) -> dict:
    record = copy.deepcopy(record)
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def messages(record: dict) -> list[str]:
    report = validate(resource_to_rdf(record, base=BASE), "govcat")
    assert not report.conforms
    return [f.message_en for f in report.violations]


@pytest.fixture
def good(demo_sample) -> dict:
    record = next(r for r in demo_sample if r["format_class"] == "spreadsheet" and r["share_type"] == "conditional")
    assert validate(resource_to_rdf(record, base=BASE), "govcat").conforms
    return record


def test_a_broken_record_violates_the_govcat_profile_with_clear_messages(good):
    record = broken(good, share_conditions=None, data_items=None, issued=None, open_type="conditional",
                    open_conditions=None)
    found = messages(record)
    assert sorted(found) == sorted([
        "Conditional sharing needs the sharing conditions (govcat:shareConditions).",
        "Spreadsheets, databases and service interfaces must list their data items "
        "(csvw:column of dct:conformsTo).",
        "A published resource needs its release date (xsd:date).",
        "Conditional opening (RESTRICTED) needs the opening conditions (govcat:openConditions).",
    ])
    report = validate(resource_to_rdf(record, base=BASE), "govcat")
    assert all(f.message_zh for f in report.violations)  # every message in Chinese too
    assert {f.focus for f in report.violations} == {f"{BASE}/resources/{good['code']}"}


@pytest.mark.parametrize("changes,expected", [
    ({"share_type": "none", "share_basis": None, "share_method": None},
     "A resource that is not shared needs its legal or policy basis (govcat:shareBasis)."),
    ({"share_type": "unconditional", "share_method": None},
     "A shared resource (unconditional or conditional) needs its sharing method (govcat:shareMethod)."),
    ({"classified": True}, "Only non-classified resources may be registered."),
    ({"provider": None}, "Exactly one providing department, with its unified social credit code, is required."),
    ({"classification": None}, "Exactly one node of the classification tree is required as a theme."),
    ({"update_frequency": None},
     "Exactly one update frequency (one of eight values of the EU frequency table) is required."),
    ({"code": "not-a-code"}, "Exactly one resource code (classification code/sequence number) is required."),
])
def test_each_obligation_of_the_guide_is_checked(good, changes, expected):
    assert expected in messages(broken(good, **changes))


def test_the_profile_agrees_with_the_schema_on_valid_records(demo_documents):
    """Every demo resource the schema accepts, the profile accepts (given a release date)."""
    graph = None
    for item in demo_documents:
        doc = normalize_metadata(item["doc"])
        graph = resource_to_rdf({"code": item["code"], "modified": MODIFIED, **doc}, base=BASE, graph=graph)
    report = validate(graph, "govcat")
    assert report.conforms, report.text()


@pytest.mark.parametrize("changes", [
    {"share_type": "none", "share_basis": None, "share_method": None},
    {"share_type": "unconditional", "share_method": None},
    {"share_conditions": None},
    {"open_type": "conditional", "open_conditions": None},
    {"data_items": None},
    {"classified": True},
    {"update_frequency": None},
])
def test_what_the_profile_refuses_the_registration_schema_refuses_too(good, changes):
    """Registrations are checked by the schema, RDF (harvests, uploads of RDF) by the profile: the same rules."""
    from marshmallow import ValidationError

    record = broken(good, **changes)
    assert messages(record)
    doc = {k: value for k, value in record.items() if k not in ("code", "modified", "provider_name")}
    with pytest.raises(ValidationError):
        normalize_metadata(doc)
