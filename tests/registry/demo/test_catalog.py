"""The demo catalog: a valid department tree, and generated resources that are valid and cover it all."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date

import pytest

from vocab import enumerations as v
from vocab.codes import is_valid_credit_code, is_valid_region_code
from registry.demo.catalog import generate_resources, load_departments, load_tables
from registry.resources.schemas import normalize_metadata

FICTIONAL_HOSTS = ("https://data.example.gov.cn/", "https://api.example.gov.cn/")
FIXED_ITEMS = [n.code for n in v.FIXED_CLASSIFICATION if len(n.code) == 3 and n.code[0] in "12"]
LEVEL_BELOW = {"provincial": "municipal", "municipal": "county"}


def made_up_branch_codes(departments: list[dict]) -> dict[str, str]:
    """Branch codes as the catalog would assign them: 3 + two digits, then three per level."""
    codes: dict[str, str] = {}
    children: Counter = Counter()
    for department in departments:
        base = codes[department["parent"]] if department["parent"] else "3"
        children[base] += 1
        codes[department["credit_code"]] = f"{base}{children[base]:0{2 if base == '3' else 3}d}"
    return codes


@pytest.fixture(scope="module")
def departments():
    return load_departments()


@pytest.fixture(scope="module")
def branch_codes(departments):
    return made_up_branch_codes(departments)


@pytest.fixture(scope="module", params=[2017, 99], ids=["default-seed", "other-seed"])
def resources(request, branch_codes):
    return generate_resources(branch_codes, seed=request.param)


# --- departments ---------------------------------------------------------------------------------

def test_department_credit_codes_are_valid_and_unique(departments):
    codes = [d["credit_code"] for d in departments]
    assert all(is_valid_credit_code(code) for code in codes), [c for c in codes if not is_valid_credit_code(c)]
    assert all(code.startswith("11") for code in codes)  # 机关
    assert len(set(codes)) == len(codes)


def test_departments_have_the_documented_fields(departments):
    fields = {"credit_code", "name", "name_en", "level", "region_code", "parent"}
    for department in departments:
        assert set(department) == fields
        assert department["name"] and department["name_en"]
        assert department["level"] in v.ADMINISTRATIVE_LEVELS
        assert is_valid_region_code(department["region_code"])
        assert department["credit_code"][2:8] == department["region_code"]
    assert len({d["name"] for d in departments}) == len(departments)


def test_departments_form_a_tree_over_three_levels(departments):
    assert len(departments) >= 30
    assert {d["level"] for d in departments} == {"provincial", "municipal", "county"}
    seen: dict[str, dict] = {}
    for department in departments:
        if department["level"] == "provincial":
            assert department["parent"] is None
        else:
            assert department["parent"] in seen, f"{department['name']}: parent missing or listed later"
            parent = seen[department["parent"]]
            assert LEVEL_BELOW[parent["level"]] == department["level"]
            assert department["region_code"].startswith(parent["region_code"].rstrip("0")[:4])
        seen[department["credit_code"]] = department


# --- resources -----------------------------------------------------------------------------------

def test_at_least_300_resources_all_valid(resources):
    assert len(resources) >= 300
    for data in resources:
        normalize_metadata(data)  # raises ValidationError when invalid
        assert not data.get("classified")


def test_generation_is_deterministic(branch_codes):
    first = generate_resources(branch_codes)
    assert generate_resources(branch_codes) == first
    assert generate_resources(branch_codes, seed=2017) == first
    assert generate_resources(branch_codes, seed=1) != first


def test_missing_branch_code_is_refused(branch_codes):
    incomplete = dict(list(branch_codes.items())[1:])
    with pytest.raises(ValueError):
        generate_resources(incomplete)


def test_providers_and_classifications(resources, branch_codes):
    for data in resources:
        assert data["provider"] in branch_codes
        assert data["classification"] in FIXED_ITEMS or data["classification"] == branch_codes[data["provider"]]


def test_every_fixed_item_and_every_department_branch_has_resources(resources, branch_codes):
    used = {data["classification"] for data in resources}
    assert set(FIXED_ITEMS) - used == set()
    assert set(branch_codes.values()) - used == set()


@pytest.mark.parametrize("field, enumeration", [
    ("share_type", v.SHARE_TYPES), ("share_method", v.SHARE_METHODS), ("open_type", v.OPEN_TYPES),
    ("update_frequency", v.UPDATE_FREQUENCIES), ("format_class", v.FORMAT_CLASSES),
])
def test_every_vocabulary_value_occurs(resources, field, enumeration):
    used = {data.get(field) for data in resources}
    assert set(enumeration.keys) - used == set()


def test_conditional_fields(resources):
    for data in resources:
        assert bool(data.get("share_conditions")) == (data["share_type"] == "conditional")
        assert bool(data.get("share_basis")) == (data["share_type"] == "none")
        assert bool(data.get("share_method")) == (data["share_type"] != "none")
        assert bool(data.get("open_conditions")) == (data["open_type"] == "conditional")


def test_data_items_are_present_and_realistic(resources):
    with_items = [data for data in resources if data["format_class"] in v.FORMAT_CLASSES_WITH_DATA_ITEMS]
    assert with_items
    names = Counter()
    for data in with_items:
        assert len(data["data_items"]) >= 3, data["title"]
        for item in data["data_items"]:
            assert item["type"] in v.DATA_ITEM_TYPES
            if item["type"] == "C":
                assert item.get("length", 0) >= 1, (data["title"], item)
            names[item["name"]] += 1
            if item["name"] in ("统一社会信用代码", "公民身份号码"):
                assert (item["type"], item["length"]) == ("C", 18)
    assert names["统一社会信用代码"] and names["注册资本"] and names["成立日期"]
    types = {item["type"] for data in with_items for item in data["data_items"]}
    assert {"C", "N", "Y", "D", "T", "I"} <= types


def test_distributions_and_data_services(resources):
    counts = Counter(len(data.get("distributions", [])) for data in resources)
    assert sum(counts[n] for n in (1, 2, 3)) >= 0.75 * len(resources)
    assert max(counts) <= 3
    distributions = [d for data in resources for d in data.get("distributions", [])]
    assert all(d["access_url"].startswith(FICTIONAL_HOSTS) for d in distributions)
    assert all(d.get("download_url", FICTIONAL_HOSTS[0]).startswith(FICTIONAL_HOSTS[0]) for d in distributions)
    assert all(d.get("format") and d.get("media_type") for d in distributions)
    assert sum("download_url" in d for d in distributions) >= 0.3 * len(distributions)
    assert sum(d.get("license") == "CC-BY-4.0" for d in distributions) >= 0.3 * len(distributions)
    assert {"CSV", "XLSX", "JSON", "PDF"} <= {d["format"] for d in distributions}
    for data in resources:
        if data["format_class"] == "service_interface":
            assert data.get("data_services"), data["title"]
            for service in data["data_services"]:
                assert service["title"] and service["endpoint_description"]
                assert service["endpoint_url"].startswith(FICTIONAL_HOSTS[1])


def test_context_metadata(resources, departments):
    region = {d["credit_code"]: d["region_code"] for d in departments}
    for data in resources:
        assert data["keywords"] and data["themes"]
        assert set(data["themes"]) <= set(v.EU_THEMES.keys)
        assert data["spatial"] == region[data["provider"]]
        temporal = data["temporal"]
        assert temporal["start"] <= temporal.get("end", temporal["start"])
        contact = data["contact_point"]
        assert contact["name"] and contact["email"].endswith("example.gov.cn") and contact["phone"]
        assert date(2018, 1, 1) <= date.fromisoformat(data["issued"]) <= date(2025, 12, 31)
        assert data.get("related_codes", []) == []
        assert ("title_en" in data) == ("description_en" in data)
    bilingual = sum("title_en" in data for data in resources)
    assert 0.3 * len(resources) <= bilingual <= 0.7 * len(resources)


def test_titles_are_realistic_and_unique_per_provider(resources, departments):
    places = load_tables()["places"]
    region = {d["credit_code"]: d["region_code"] for d in departments}
    by_provider = defaultdict(list)
    for data in resources:
        assert data["title"].startswith(places[region[data["provider"]]]["zh"]), data["title"]
        assert not re.search(r"资源\s*\d+$", data["title"])
        by_provider[data["provider"]].append(data["title"])
    for provider, titles in by_provider.items():
        duplicates = [t for t, n in Counter(titles).items() if n > 1]
        assert not duplicates, (provider, duplicates)
    assert len({data["title"] for data in resources}) >= 0.5 * len(resources)
