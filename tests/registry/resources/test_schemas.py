"""The resource schema under arbitrary input: it accepts or refuses, with reasons, and never breaks."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from vocab import enumerations as v
from registry.errors import flatten_messages
from registry.resources.schemas import normalize_metadata
from tests.factories import ResourceDataFactory

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
field_names = st.sampled_from(sorted(ResourceDataFactory().keys() | {"data_items", "temporal", "contact_point",
                                                                     "themes", "spatial", "related_codes"}))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(field_names | st.text(max_size=10), json_values, max_size=8))
def test_arbitrary_objects_are_accepted_or_refused_with_field_reasons(data):
    try:
        normalize_metadata(data)
    except ValidationError as error:
        for item in flatten_messages(error.messages):
            assert item["field"] and item["reason"] and item["reason_zh"]


@settings(max_examples=200)
@given(st.sampled_from(sorted(ResourceDataFactory().keys())), json_values)
def test_one_corrupted_field_of_a_valid_resource(field, value):
    data = {**ResourceDataFactory(), field: value}
    try:
        doc = normalize_metadata(data)
    except ValidationError as error:
        assert {e["field"].split(".")[0] for e in flatten_messages(error.messages)} - {"_schema"}
    else:
        json.dumps(doc)


text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=40) \
    .filter(lambda s: s.strip())
valid_resources = st.fixed_dictionaries({
    "title": text, "description": text, "classification": st.sampled_from(["101", "203", "212"]),
    "format_class": st.sampled_from(["electronic_file", "image", "streaming", "self_describing"]),
    "share_type": st.just("unconditional"), "share_method": st.sampled_from(v.SHARE_METHODS.keys),
    "open_type": st.sampled_from(["unconditional", "none"]),
    "update_frequency": st.sampled_from(v.UPDATE_FREQUENCIES.keys),
}, optional={
    "title_en": text, "keywords": st.lists(text.map(lambda s: s[:100]), max_size=5),
    "themes": st.lists(st.sampled_from(v.EU_THEMES.keys), max_size=3, unique=True),
    "issued": st.dates().map(str), "spatial": st.from_regex(r"[1-8][0-9]{5}", fullmatch=True),
    "distributions": st.lists(st.fixed_dictionaries(
        {"access_url": st.sampled_from(["https://data.example.gov.cn/a", "http://10.0.0.1/x", "ftp://f/x"])},
        optional={"byte_size": st.integers(0, 10**12), "format": st.sampled_from(["CSV", "PDF"])}), max_size=3),
})


@given(valid_resources)
def test_normalizing_is_stable(data):
    doc = normalize_metadata(data)
    assert normalize_metadata(doc) == doc
    assert json.loads(json.dumps(doc, ensure_ascii=False)) == doc


def test_text_is_trimmed_and_control_characters_dropped():
    doc = normalize_metadata(ResourceDataFactory(title="  交通\x00流量\n统计 ", description="第一行\n第二行\x07"))
    assert doc["title"] == "交通流量 统计"
    assert doc["description"] == "第一行\n第二行"


def test_errors_are_bilingual():
    try:
        normalize_metadata({})
    except ValidationError as error:
        errors = flatten_messages(error.messages)
    required = {e["field"] for e in errors if e["reason"] == "Missing data for required field."}
    assert required == {"title", "description", "classification", "format_class", "share_type", "open_type",
                        "update_frequency"}
    assert all(e["reason_zh"] == "缺少必填字段。" for e in errors if e["field"] in required)
