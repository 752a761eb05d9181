"""Registering from a spreadsheet in the browser: every row judged in the guide's words, nothing stored
until the user confirms, then the valid rows become drafts and the page links to them."""
from __future__ import annotations

import csv
import io
import re

from sqlalchemy import func, select

from registry.resources import sheet_export, sheets
from registry.resources.models import Resource
from tests.factories import ResourceDataFactory
from tests.registry.ui.test_workspace import signed_in
from tests.conftest import form_token


def gbk_csv(docs: list[dict], *, bad_share_type_in_row: int | None = None) -> bytes:
    cells = [sheet_export.row_cells({**doc, "code": None}) for doc in docs]
    if bad_share_type_in_row is not None:
        cells[bad_share_type_in_row][sheets.HEADERS.index("共享类型")] = "内部共享"
    buffer = io.StringIO()
    csv.writer(buffer).writerows([sheets.HEADERS] + cells)
    return buffer.getvalue().encode("gbk")


def upload(client, body: bytes, name: str = "目录.csv"):
    return client.post("/workspace/upload", data={"csrf_token": form_token(client, "/workspace"),
                                                  "file": (io.BytesIO(body), name)},
                       content_type="multipart/form-data")


def resources(db) -> int:
    with db.reader() as session:
        return session.scalar(select(func.count()).select_from(Resource))


def test_one_bad_row_is_reported_and_the_rest_stored_only_after_confirmation(client, db, world):
    signed_in(client)
    docs = [ResourceDataFactory(title=f"表格登记{n}") for n in range(3)]
    preview = upload(client, gbk_csv(docs, bad_share_type_in_row=1))
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert re.search(r'<tr class="invalid" data-row="3">.*?<strong>共享类型</strong>', page, re.S)
    assert page.count('class="valid"') == 2
    assert resources(db) == 0                                      # nothing stored yet
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    done = client.post("/workspace/upload/confirm", data={"csrf_token": form_token(client, "/workspace"),
                                                          "token": token})
    result = done.get_data(as_text=True)
    assert done.status_code == 200 and "表格登记0" in result and "表格登记2" in result
    assert len(re.findall(r'href="/workspace/resources/\d+"', result)) == 2
    with db.reader() as session:
        assert sorted(session.scalars(select(Resource.state))) == ["draft", "draft"]
    again = client.post("/workspace/upload/confirm", data={"csrf_token": form_token(client, "/workspace"),
                                                           "token": token})
    assert again.status_code == 410 and resources(db) == 2          # a second confirmation registers nothing


def test_another_user_cannot_confirm_my_upload(client, db, world):
    signed_in(client)
    page = upload(client, gbk_csv([ResourceDataFactory()])).get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    other = client.application.test_client()
    signed_in(other, "editor_b")
    refused = other.post("/workspace/upload/confirm", data={"csrf_token": form_token(other, "/workspace"),
                                                            "token": token})
    assert refused.status_code == 410 and resources(db) == 0


def test_a_file_that_is_no_sheet_is_explained(client, db, world):
    signed_in(client)
    answer = upload(client, b"PK\x03\x04 not really a workbook", "x.xlsx")
    assert answer.status_code == 400 and "不是有效的 xlsx 工作簿" in answer.get_data(as_text=True)
    empty = upload(client, b"", "x.csv")
    assert empty.status_code == 400 and "上传的文件为空" in empty.get_data(as_text=True)

