"""The evaluation's pages, API and exports: signed-in readers only, and the same numbers everywhere."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from registry.db import utcnow
from registry.departments.models import Department
from registry.departments.services import create_department
from registry.evaluation.reports import shown, shown_score
from registry.evaluation.snapshots import take_snapshot
from tests.conftest import sign_in
from tests.factories import DepartmentDataFactory
from tests.registry.api.test_openapi import Contract

NOW = utcnow()
ENDPOINTS = ("/api/v1/evaluation", "/api/v1/evaluation/export.csv", "/api/v1/evaluation/export.xlsx")


@pytest.fixture
def catalog(db, world, publish):
    """Three departments with different measures; one with nothing published (no score)."""
    with db.transaction() as session:
        dept_c = create_department(session, None, DepartmentDataFactory(), check_permission=False)
    a, b = world.dept_a, world.dept_b
    publish(a, NOW - timedelta(days=40), update_frequency="monthly")
    publish(a, NOW, update_frequency="monthly", conditional_share=True)
    publish(a, NOW, update_frequency="weekly")
    publish(b, NOW - timedelta(days=3), update_frequency="daily", not_shared=True)
    publish(b, NOW, update_frequency="irregular")
    return {"a": a, "b": b, "c": dept_c}


def test_the_public_may_not_read_the_evaluation(client, catalog):
    for path in (*ENDPOINTS, f"/api/v1/evaluation/departments/{catalog['a'].credit_code}"):
        response = client.get(path)
        assert response.status_code == 401 and response.get_json()["error"]["code"]
    for path in ("/evaluation", f"/evaluation/departments/{catalog['a'].credit_code}"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_any_signed_in_user_or_token_may(client, world, catalog):
    for person in (world.editor_b, world.reviewer_a, world.admin, world.sysadmin):
        assert client.get("/api/v1/evaluation", headers=person.headers).status_code == 200
    sign_in(client, "editor_b", "correct horse battery")
    assert client.get("/evaluation").status_code == 200
    assert client.get(f"/evaluation/departments/{catalog['a'].credit_code}").status_code == 200


@pytest.fixture
def two_indicators(monkeypatch):
    """Only this package's own indicators, whose arithmetic these tests pin (the others have their own)."""
    from registry.evaluation import scorecards
    from registry.evaluation.indicators import openness, timeliness

    monkeypatch.setattr(scorecards, "PROVIDERS", [timeliness, openness])


def test_page_api_and_both_exports_agree(client, world, catalog, two_indicators):
    sign_in(client, "editor_a", "correct horse battery")
    api = client.get("/api/v1/evaluation").get_json()
    keys = [m["key"] for m in api["measures"]]
    mine = ["resources_with_frequency", "overdue_resources", "timely_share", "resources", "unconditional_share"]
    assert keys == mine
    by_code = {d["credit_code"]: d for d in api["departments"]}
    a, b, c = (by_code[catalog[x].credit_code] for x in "abc")
    # The arithmetic, once more, as the API answers it.
    assert {k: a["measures"][k] for k in mine} == {"resources_with_frequency": 3, "overdue_resources": 1, "timely_share": 0.6667,
                             "resources": 3, "unconditional_share": 0.6667}
    assert {k: b["measures"][k] for k in mine} == {"resources_with_frequency": 1, "overdue_resources": 1, "timely_share": 0.0,
                             "resources": 2, "unconditional_share": 0.5}
    assert {k: c["measures"][k] for k in mine} == dict.fromkeys(mine) and c["score"] is None and c["rank"] is None
    assert (a["rank"], a["score"], b["rank"], b["score"]) == (1, 66.7, 2, 25.0)
    assert api["catalog"]["measures"]["timely_share"] == 0.5 and api["catalog"]["score"] == 55.0

    assert_everywhere_the_same(client, api, keys)


def test_with_every_indicator_the_page_api_and_exports_agree(client, world, catalog):
    sign_in(client, "editor_a", "correct horse battery")
    api = client.get("/api/v1/evaluation").get_json()
    keys = [m["key"] for m in api["measures"]]
    assert {"quality_mean_points", "answered_in_time_share", "links_ok_share", "timely_share"} <= set(keys)
    by_code = {d["credit_code"]: d for d in api["departments"]}
    # No request and no link check yet: those shares are not measurable ("—"), never a 0.
    assert {by_code[catalog[x].credit_code]["measures"]["answered_in_time_share"] for x in "abc"} == {None}
    assert {by_code[catalog[x].credit_code]["measures"]["links_ok_share"] for x in "abc"} == {None}
    assert by_code[catalog["a"].credit_code]["measures"]["quality_mean_points"] > 0
    assert_everywhere_the_same(client, api, keys)


def assert_everywhere_the_same(client, api, keys):
    # The page: the ranking table holds the API's numbers, "—" where the API has null.
    html = client.get("/evaluation").get_data(as_text=True)
    for row in api["departments"]:
        cells = re.search(rf'<tr data-code="{row["credit_code"]}">(.*?)</tr>', html, re.S).group(1)
        values = dict(re.findall(r'data-key="([a-z_]+)">([^<]*)<', cells))
        assert values == {"score": shown_score(row["score"]), **{k: shown(k, row["measures"][k]) for k in keys}}
        assert re.search(r'<td class="num">([^<]*)</td>', cells).group(1) == (str(row["rank"]) if row["rank"] else "—")
    catalog_card = re.search(r'<dl class="counters" id="catalog-card">(.*?)</dl>', html, re.S).group(1)
    assert dict(re.findall(r'data-key="([a-z_]+)">([^<]*)<', catalog_card))["timely_share"] == "50%"
    assert shown("timely_share", 0.6667) == "66.67%" and shown("timely_share", None) == "—"

    def as_api(value):
        return None if value in ("—", None) else value

    # CSV and xlsx: the header, the catalog, then the departments in the API's order, with its numbers.
    rows = list(csv.reader(io.StringIO(client.get("/api/v1/evaluation/export.csv").data.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(client.get("/api/v1/evaluation/export.xlsx").data)).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(rows) == len(cells) == 2 + len(api["departments"])
    assert rows[0][:4] == cells[0][:4] == ["名次", "统一社会信用代码", "部门", "总分"]
    for number, row in enumerate(api["departments"], start=2):
        expected = [row["rank"], row["credit_code"], row["name"], row["score"], *(row["measures"][k] for k in keys)]
        assert [as_api(x) for x in cells[number]] == expected
        assert [as_api(x) for x in rows[number]] == [None if x is None else str(x) for x in expected]
    assert [as_api(x) for x in cells[1][3:]] == \
        [api["catalog"]["score"], *(api["catalog"]["measures"][k] for k in keys)]
    english = client.get("/api/v1/evaluation/export.csv?lang=en").data.decode("utf-8-sig")
    english_rows = list(csv.reader(io.StringIO(english)))
    assert english_rows[0][:4] == ["Rank", "Credit code", "Department", "Score"]
    assert english_rows[2][:2] == rows[2][:2] and english_rows[2][3:] == rows[2][3:]


def test_a_department_scorecard_with_its_trend(client, db, world, catalog, two_indicators):
    take_snapshot(db, NOW - timedelta(days=1))
    take_snapshot(db, NOW)
    code = catalog["a"].credit_code
    api = client.get(f"/api/v1/evaluation/departments/{code}", headers=world.editor_b.headers).get_json()
    assert api["department"]["credit_code"] == code and api["department"]["rank"] == 1 and api["ranked"] == 2
    assert [p["day"] for p in api["trend"]] == [(NOW - timedelta(days=1)).date().isoformat(), NOW.date().isoformat()]
    assert api["trend"][-1]["score"] == api["department"]["score"] == 66.7
    assert api["trend"][-1]["measures"]["timely_share"] == 0.6667
    sign_in(client, "editor_b", "correct horse battery")
    html = client.get(f"/evaluation/departments/{code}").get_data(as_text=True)
    assert html.count("<h1>") == 1 and "<svg" in html and 'class="point"' in html
    assert '<dd data-key="score">66.7</dd>' in html
    assert re.fullmatch(r"\D*1\D+2\D*", re.search(r'<dd data-key="rank">(.*?)</dd>', html).group(1))   # 1 of 2
    assert f'href="/departments/{code}"' in html
    measures = re.search(r'<table class="list" id="measures">(.*?)</table>', html, re.S).group(1)
    assert dict(re.findall(r'data-key="([a-z_]+)">([^<]*)<', measures))["timely_share"] == "66.67%"
    trend_table = re.search(r'<table class="list" id="trend">(.*?)</table>', html, re.S).group(1)
    assert trend_table.count("<tr>") == 3      # the header and two snapshots


def test_without_snapshots_the_page_says_how_to_get_one(client, world, catalog):
    sign_in(client, "editor_a", "correct horse battery")
    html = client.get(f"/evaluation/departments/{catalog['c'].credit_code}").get_data(as_text=True)
    assert "<svg" not in html and "govcat evaluate snapshot" in html
    assert re.search(r'<dd data-key="score">—</dd>', html)


def test_unknown_and_inactive_departments_are_not_found(client, db, world, catalog):
    with db.transaction() as session:
        session.get(Department, catalog["c"].id).active = False
    for code in ("91110000000000000X", "not-a-code", catalog["c"].credit_code):
        response = client.get(f"/api/v1/evaluation/departments/{code}", headers=world.admin.headers)
        assert response.status_code == 404 and response.get_json()["error"]["code"]
    sign_in(client, "admin", "correct horse battery")
    assert client.get(f"/evaluation/departments/{catalog['c'].credit_code}",
                      headers={"Accept": "text/html"}).status_code == 404


def test_bad_parameters_are_refused_with_the_field(client, world, catalog):
    for path, field in (("/api/v1/evaluation?x=1", "x"), ("/api/v1/evaluation/export.csv?lang=fr", "lang"),
                        ("/api/v1/evaluation/export.xlsx?page=2", "page")):
        response = client.get(path, headers=world.admin.headers)
        assert response.status_code == 400
        assert response.get_json()["error"]["errors"][0]["field"] == field


def test_the_links_lead_to_the_scorecards(client, world, catalog):
    code = catalog["a"].credit_code
    assert 'href="/evaluation"' not in client.get("/").get_data(as_text=True)        # the public: no link
    assert "/evaluation/departments/" not in client.get(f"/departments/{code}").get_data(as_text=True)
    assert 'href="/api/v1/evaluation"' in client.get("/developers").get_data(as_text=True)
    sign_in(client, "editor_b", "correct horse battery")
    assert 'href="/evaluation"' in client.get("/").get_data(as_text=True)
    assert f'href="/evaluation/departments/{code}"' in client.get(f"/departments/{code}").get_data(as_text=True)
    html = client.get("/evaluation").get_data(as_text=True)
    assert f'href="/evaluation/departments/{code}"' in html and html.count("<svg") == 1


def test_the_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (*ENDPOINTS, "/api/v1/evaluation/departments/{code}"):
        assert "get" in paths[path] and paths[path]["get"]["security"] == [{"bearerAuth": []}]


def test_the_answers_match_their_documented_shapes(client, db, world, catalog):
    take_snapshot(db, NOW)
    contract = Contract(client.get("/api/v1/openapi.json").get_json())
    whole = contract.check(client.get("/api/v1/evaluation", headers=world.editor_a.headers), 200, "get",
                           "/api/v1/evaluation")
    assert None in whole["departments"][-1]["measures"].values()          # nulls are documented
    for code in (catalog["a"].credit_code, catalog["c"].credit_code):
        answer = contract.check(client.get(f"/api/v1/evaluation/departments/{code}", headers=world.editor_a.headers),
                                200, "get", "/api/v1/evaluation/departments/{code}")
        assert len(answer["trend"]) == 1
    contract.check(client.get("/api/v1/evaluation/departments/1X", headers=world.editor_a.headers), 404, "get",
                   "/api/v1/evaluation/departments/{code}")
