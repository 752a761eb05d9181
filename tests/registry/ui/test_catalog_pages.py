"""The catalog's structure as pages: the department tree, a department, the classification with counts."""
from __future__ import annotations

import re

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def test_the_department_tree_and_a_department(client, demo):
    tree = client.get("/departments").get_data(as_text=True)
    codes = re.findall(r'data-department="([0-9A-Z]{18})"', tree)
    assert len(codes) > 20 and "<ul class=\"tree\">" in tree
    total = client.get("/api/v1/resources").get_json()["total"]
    counted = sum(int(n) for n in re.findall(r"(\d+) 条信息资源", tree))
    assert counted == total                              # every published resource under its department
    page = client.get(f"/departments/{codes[0]}").get_data(as_text=True)
    assert f"/search?department={codes[0]}" in page
    assert client.get("/departments/000000000000000000", headers=BROWSER).status_code == 404


def test_the_classification_with_counts_for_people_and_rdf_for_programs(client, demo):
    page = client.get("/classification", headers=BROWSER)
    assert page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    total = client.get("/api/v1/resources").get_json()["total"]
    tops = re.findall(r'<li data-code="(\d)">.*?<span class="count">(\d+)</span>', text, re.S)
    assert tops and sum(int(n) for _code, n in tops) == total
    assert client.get("/classification", headers={"Accept": "text/turtle"}).mimetype == "text/turtle"
