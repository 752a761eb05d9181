"""The quality score's "DCAT-AP compliant" is decided from the schema's findings, not by running the
shapes (too slow for the whole catalog): here it is compared with pySHACL on the official DCAT-AP 3.0.1
shapes, for valid resources and for each way a document can fail or pass them."""
from __future__ import annotations

import copy

import pytest

from vocab.codes import format_resource_code
from registry.demo.catalog import generate_resources
from registry.quality.criteria import dcat_ap_compliant, schema_errors
from registry.resources.schemas import normalize_metadata
from tests.vocab.conftest import BASE, DCAT_AP_DIR, MODIFIED, assign_branch_codes
from vocab.catalog import catalog_to_rdf
from vocab.schemes import concept_schemes_graph
from vocab.validation import validate
from registry.demo.catalog import load_departments

pytestmark = pytest.mark.skipif(not (DCAT_AP_DIR / "html" / "shacl" / "shapes.ttl").is_file(),
                                reason="the DCAT-AP 3.0.1 shapes are not beside the repository")


@pytest.fixture(scope="module")
def departments():
    return assign_branch_codes(load_departments())


@pytest.fixture(scope="module")
def sample(departments):
    """A spread of demo resources: with and without distributions and data services."""
    docs = [normalize_metadata(d) for d in generate_resources({d["credit_code"]: d["branch_code"]
                                                               for d in departments})]
    chosen = [next(d for d in docs if d.get("data_services")), next(d for d in docs if d.get("distributions")),
              next(d for d in docs if not d.get("distributions"))]
    return chosen


def shacl_conforms(doc: dict, departments: list[dict]) -> bool:
    names = {d["credit_code"]: d["name"] for d in departments}
    envelope = {"code": format_resource_code(str(doc.get("classification") or "201"), 1), "modified": MODIFIED,
                "provider_name": names.get(doc.get("provider"), "部门"), **doc}
    graph = catalog_to_rdf([envelope], base=BASE, title="目录", description="质量评分的对照。",
                           publisher={"name": "目录管理中心"}, departments={d["credit_code"]: d for d in departments})
    report = validate(graph, "dcat-ap", standards_dir=DCAT_AP_DIR, background=concept_schemes_graph(BASE, departments))
    return report.count("Violation") == 0


def _first(doc, part):
    return doc[part][0]


CHANGES = {
    "as registered": lambda d: None,
    "no Chinese description (the English one is a description)": lambda d: d.pop("description"),
    "no description at all": lambda d: (d.pop("description"), d.pop("description_en", None)),
    "a distribution without access URL": lambda d: d.setdefault("distributions", []).append({"title": "文件"}),
    "a data service without endpoint": lambda d: d.setdefault("data_services", []).append({"title": "接口"}),
    "a malformed media type (dropped by the mapping)": lambda d: d.setdefault("distributions", []).append(
        {"access_url": "https://data.example.gov.cn/x", "media_type": "csv"}),
    "a malformed theme (dropped by the mapping)": lambda d: d.update(themes=["NOPE"]),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_the_cheap_check_agrees_with_the_official_shapes(change, sample, departments):
    for doc in sample:
        doc = copy.deepcopy(doc)
        CHANGES[change](doc)
        assert dcat_ap_compliant(doc, schema_errors(doc)) == shacl_conforms(doc, departments), (change, doc["title"])
