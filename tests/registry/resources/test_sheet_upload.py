"""Registering from a spreadsheet through the API (POST /api/v1/resources/upload): a dry run judges
every row, a real run registers the rows that pass as drafts and reports the rest."""
from __future__ import annotations

import io

from tests.factories import ResourceDataFactory
from tests.registry.ui.test_upload import gbk_csv, resources


def api_upload(client, headers, body: bytes, query: str = ""):
    return client.post(f"/api/v1/resources/upload{query}", headers=headers,
                       data={"file": (io.BytesIO(body), "目录.csv")}, content_type="multipart/form-data")


def test_the_api_judges_on_a_dry_run_and_registers_the_valid_rows_otherwise(client, db, world):
    body = gbk_csv([ResourceDataFactory(title=f"接口登记{n}") for n in range(3)], bad_share_type_in_row=1)
    dry = api_upload(client, world.editor_a.headers, body, "?dry_run=true").get_json()
    assert (dry["dry_run"], dry["valid"], dry["invalid"], dry["created"]) == (True, 2, 1, [])
    bad = next(r for r in dry["rows"] if not r["valid"])
    assert bad["row"] == 3 and bad["problems"][0]["column"] == "共享类型"
    assert resources(db) == 0
    done = api_upload(client, world.editor_a.headers, body).get_json()
    assert [c["title"] for c in done["created"]] == ["接口登记0", "接口登记2"] and [c["row"] for c in done["created"]] == [2, 4]
    assert resources(db) == 2


def test_the_api_refuses_what_it_cannot_take(client, world):
    assert api_upload(client, {}, b"x").status_code == 401
    no_file = client.post("/api/v1/resources/upload", headers=world.editor_a.headers, json={"file": "x"})
    assert no_file.status_code == 400 and no_file.get_json()["error"]["errors"][0]["field"] == "file"
    flag = api_upload(client, world.editor_a.headers, b"x", "?dry_run=maybe")
    assert flag.status_code == 400 and flag.get_json()["error"]["errors"][0]["field"] == "dry_run"
    sysadmin = api_upload(client, world.sysadmin.headers, gbk_csv([ResourceDataFactory()]))
    assert sysadmin.status_code == 200 and sysadmin.get_json()["invalid"] == 1     # registers for no department
