"""The vocabularies API: every enumeration with Chinese and English labels, and the classification tree."""
from __future__ import annotations

from vocab import enumerations as v


def test_every_enumeration_is_served_with_both_labels(client):
    items = client.get("/api/v1/vocabularies").get_json()["items"]
    assert {item["name"] for item in items} == set(v.ENUMERATIONS)
    for item in items:
        for term in item["terms"]:
            assert term["label"]["zh"] and term["label"]["en"]
    frequency = client.get("/api/v1/vocabularies/update_frequency").get_json()
    assert [t["label"]["zh"] for t in frequency["terms"]] == ["实时", "每日", "每周", "每月", "每季度", "每半年", "每年", "不定期"]
    assert client.get("/api/v1/vocabularies/nonsense").status_code == 404


def test_classification_tree_has_the_fixed_branches(client):
    tree = client.get("/api/v1/vocabularies/classification").get_json()["tree"]
    assert [(n["code"], n["label"]["zh"]) for n in tree] == [("1", "基础信息资源"), ("2", "主题信息资源"),
                                                             ("3", "部门信息资源")]
    assert len(tree[0]["children"]) == 5 and len(tree[1]["children"]) == 12
