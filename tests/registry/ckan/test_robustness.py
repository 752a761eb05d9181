"""Whatever a CKAN client sends — odd types, odd filter queries, odd text — the CKAN API never answers 500."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.ckan.services import ACTIONS
from tests.registry.ckan.conftest import publish

PARAMS = ["id", "q", "fq", "fq_list", "rows", "start", "sort", "fl", "facet", "facet.field", "facet.limit",
          "facet.mincount", "limit", "offset", "page", "all_fields", "include_datasets", "include_extras",
          "organizations", "name"]
nasty_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["\x00", "9" * 40, "-1", "1e309", "*:*", "[* TO *]", '"', "(", ")", "\\", "tags:", ":",
                     "metadata_modified:[NOW TO *]", "groups:(a OR", "a OR OR b", "+-+", "{!func}x", "３３"]),
)
nasty_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30) | st.floats() | nasty_text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
filter_queries = st.lists(st.sampled_from(["tags:", "organization:", "groups:", "res_format:", "metadata_modified:", "x:",
                                 "a", "交通", "(", ")", '"', " ", " OR ", " AND ", "+", "-", "NOT ", "[", "]",
                                 " TO ", "*", "\\", "2024-01-01T00:00:00Z"]), max_size=12).map("".join)
robust = settings(max_examples=40, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@robust
@given(st.sampled_from(sorted(ACTIONS)), st.dictionaries(st.sampled_from(PARAMS), nasty_values, max_size=4))
def test_json_bodies(client, world, action, body):
    response = client.post(f"/api/3/action/{action}", json=body)
    assert response.status_code < 500, (action, body, response.get_json())


@robust
@given(st.sampled_from(sorted(ACTIONS)), st.sampled_from(PARAMS), nasty_text)
def test_query_strings(client, world, action, name, value):
    response = client.get(f"/api/3/action/{action}", query_string={name: value})
    assert response.status_code < 500, (action, name, value, response.get_json())


def test_filter_queries(app, client, world):
    publish(client, world, title="交通统计", keywords=["交通"])

    @robust
    @given(filter_queries, filter_queries)
    def check(fq, q):
        response = client.post("/api/3/action/package_search", json={"fq": fq, "q": q, "facet.field": ["tags"]})
        assert response.status_code in (200, 400, 409), (fq, q, response.get_json())

    check()
