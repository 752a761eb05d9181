"""The relevance benchmark's judged set is well-formed and its metrics compute what they should.

The benchmark itself is run by hand (bench/relevance.py); these tests keep its judged set true to
the demo catalog — a change of the demo generator that moves resource codes fails here, not
silently in a benchmark run — and check the metric functions on examples worked out by hand.
"""
from __future__ import annotations

import json
from importlib import resources as importlib_resources

import pytest

from bench.relevance import grades_by_rules, load_catalog, make_app, public_resources
from bench.relevance_set import (KINDS, QUERIES_FILE, Facts, grade, ndcg_at, percentile, read_judgments, read_queries,
                                 recall_at, reciprocal_rank)


@pytest.fixture(scope="module")
def demo_resources(tmp_path_factory):
    instance = str(tmp_path_factory.mktemp("relevance-demo"))
    load_catalog(instance, 0)
    return public_resources(make_app(instance))


def _demo_json(name: str):
    return json.loads(importlib_resources.files("registry.demo").joinpath(name).read_text(encoding="utf-8"))


def test_the_judged_set_has_at_least_100_judged_queries_of_every_kind():
    queries = read_queries()
    judged = [q for q in queries if q.judged]
    assert len(judged) >= 100
    assert {q.kind for q in judged} == set(KINDS)
    assert {"企业信用", "公交线路查询", "杭州空气质量", "air quality", "credit", "bus routes"} <= {q.text for q in judged}


def test_every_rule_names_a_subject_department_classification_or_resource_of_the_demo(demo_resources):
    tables = _demo_json("subjects.json")
    subjects = {s["zh"] for kind in tables["department_kinds"] for s in kind["subjects"]}
    subjects |= {s["zh"] for group in tables["classification_subjects"].values() for s in group["subjects"]}
    departments = {d["name"] for d in _demo_json("departments.json")}
    classifications = {facts.classification for facts, _ in demo_resources}
    codes = {facts.code for facts, _ in demo_resources}
    for query in read_queries():
        for _, selectors in query.rules:
            for s in selectors:
                known = {"s": subjects, "d": departments, "r": codes}.get(s.kind)
                if known is None:
                    assert any(c.startswith(s.value) for c in classifications), (query.id, s)
                else:
                    assert s.value in known, (query.id, s)


def test_judgments_name_public_demo_resources_with_grades_in_range(demo_resources):
    queries = {q.id: q for q in read_queries()}
    titles = {facts.code: facts.title for facts, _ in demo_resources}
    judgments = read_judgments()
    assert set(judgments) == {qid for qid, q in queries.items() if q.judged}
    for qid, grades in judgments.items():
        assert set(grades) <= set(titles), qid                    # public resources of the demo, by code
        assert set(grades.values()) <= {1, 2, 3}, qid
        assert max(grades.values()) >= 2, qid                     # something relevant to find


def test_judgments_are_what_the_judges_rules_give_on_the_demo(demo_resources):
    queries = [q for q in read_queries() if q.judged]
    assert grades_by_rules(queries, demo_resources) == read_judgments()


def test_rules_read_subject_place_copies_and_english_titles():
    [query] = [q for q in read_queries() if q.text == "杭州空气质量"]
    facts = Facts("307001/000003", "杭州市空气质量自动监测数据", "杭州市生态环境局", "307001", False)
    assert (facts.place, facts.subject) == ("杭州市", "空气质量自动监测数据")
    assert grade(query, facts) == 3
    copy = Facts("307001/000099", "西湖区空气质量自动监测数据（17）", "杭州市生态环境局西湖分局", "307001001", False)
    assert (copy.subject, grade(query, copy)) == ("空气质量自动监测数据", 2)
    [english] = [q for q in read_queries() if q.text == "air quality"]
    assert grade(english, facts) == 2
    assert grade(english, Facts("x", facts.title, facts.department, facts.classification, True)) == 3
    assert grade(english, Facts("x", "杭州市公交线路和站点信息", "杭州市交通运输局", "309001", True)) == 0


def test_a_malformed_judged_set_is_refused(tmp_path):
    path = tmp_path / "queries.txt"
    path.write_text(QUERIES_FILE.read_text(encoding="utf-8") + "z01\tmultiword\t错误\n\t4\ts:医疗机构名录\n",
                    encoding="utf-8")
    with pytest.raises(ValueError, match="grade 1-3"):
        read_queries(path)
    path.write_text("z01\tmultiword\t错误\n\t3\tx:医疗机构名录\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a selector"):
        read_queries(path)


def test_ndcg_on_a_hand_example():
    # DCG = (2³−1)/log2(2) + 0 + (2²−1)/log2(4) = 7 + 1.5; ideal 3, 2, 1: 7 + 3/log2(3) + 1/log2(4)
    assert ndcg_at([3, 0, 2], [3, 2, 1]) == pytest.approx(8.5 / (7 + 3 / 1.5849625007211563 + 0.5))
    assert ndcg_at([3, 2, 1], [1, 2, 3]) == pytest.approx(1.0)
    assert ndcg_at([0, 0, 0], [3]) == 0.0
    assert ndcg_at([0] * 10 + [3], [3]) == 0.0                    # past the tenth result counts nothing


def test_recall_and_reciprocal_rank_on_hand_examples():
    assert recall_at([3, 0, 2, 1], relevant_total=3) == pytest.approx(2 / 3)   # grade 1 is not relevant
    assert recall_at([2] * 20 + [3], relevant_total=300) == 1.0                 # a full page of relevant ones
    assert recall_at([0] * 20 + [3], relevant_total=1) == 0.0                   # the 21st does not count
    assert reciprocal_rank([0, 1, 2, 3]) == pytest.approx(1 / 3)
    assert reciprocal_rank([1, 1]) == 0.0
    assert percentile([5.0, 1.0, 4.0, 2.0, 3.0], 50) == 3.0
    assert percentile([float(n) for n in range(1, 101)], 95) == 95.0
