"""The catalog as a spreadsheet in the compilation guide's layout: read, written, downloaded, exported."""
from __future__ import annotations

import codecs
import csv
import io
import zipfile
from datetime import datetime

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from registry.cli import main
from vocab.codes import make_credit_code
from registry.resources import sheet_export, sheets
from registry.resources.schemas import normalize_metadata
from registry.resources.services import prepare_registration, register_resources
from tests.factories import DataItemFactory, ResourceDataFactory
from vocab.mapping import canonical_metadata

PROVIDER = make_credit_code("330000", "000000001")


def rich_doc(n: int = 0, **traits) -> dict:
    """A document using every column of the layout."""
    data = ResourceDataFactory(**{**dict(
        title=f"企业登记信息{n}", title_en=f"Enterprise registrations {n}", description_en="Registered enterprises.",
        provider=PROVIDER, provider_unit="数据管理处", issued="2024-03-01", related_codes=["102/000007"],
        themes=["ECON", "GOVE"], spatial="330100", temporal={"start": "2020-01-01", "end": "2023-12-31"},
        contact_point={"name": "数据科", "email": "data@example.gov.cn", "phone": "+86-571-87654321"},
        license="CC-BY-4.0", language=["zh", "en"]), **traits})
    data["distributions"][0]["checksum"] = {"algorithm": "sha256", "value": "ab" * 32}
    data["distributions"].append({"access_url": "https://data.example.gov.cn/api/docs", "format": "JSON",
                                  "description": "接口说明"})
    data["data_services"] = [{"title": "查询接口", "endpoint_url": "https://api.example.gov.cn/v1",
                              "endpoint_description": "https://api.example.gov.cn/v1/openapi.json"}]
    return normalize_metadata(data)


def representation(doc: dict, code: str = "102/000001") -> dict:
    return {**doc, "code": code, "provider_name": "省市场监督管理局"}


def xlsx_bytes(reps) -> bytes:
    buffer = io.BytesIO()
    sheet_export.write_xlsx(reps, buffer)
    return buffer.getvalue()


def workbook(rows: list[list], title: str = "目录") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read(body: bytes, kind: str) -> list[sheets.SheetRow]:
    return list(sheets.read_file(body, kind))


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_written_catalog_reads_back_as_the_same_documents(kind):
    docs = [rich_doc(0, database=True, conditional_share=True, conditional_open=True),
            rich_doc(1, not_shared=True), rich_doc(2)]
    docs[0]["data_items"][3]["description"] = "单位：万元"
    reps = [representation(doc, f"102/00000{n + 1}") for n, doc in enumerate(docs)]
    body = xlsx_bytes(reps) if kind == "xlsx" else b"".join(sheet_export.csv_chunks(reps))
    rows = read(body, kind)
    assert [(r.number, r.code) for r in rows] == [(2, "102/000001"), (3, "102/000002"), (4, "102/000003")]
    assert [canonical_metadata(sheets.checked_document(r)) for r in rows] == [canonical_metadata(d) for d in docs]


def test_the_sheet_speaks_chinese_labels_in_the_guides_order():
    rep = representation(rich_doc(0, database=True, conditional_share=True))
    sheet = load_workbook(io.BytesIO(xlsx_bytes([rep])))[sheets.SHEET_NAME]
    header, row = [[c.value for c in r] for r in sheet.iter_rows(max_row=2)]
    assert header[:8] == ["信息资源分类", "信息资源名称", "信息资源代码", "信息资源提供方", "提供方内部部门",
                          "信息资源提供方代码", "信息资源摘要", "信息资源格式"]
    cells = dict(zip(header, row))
    assert (cells["共享类型"], cells["是否向社会开放"], cells["更新周期"], cells["信息资源格式"]) == \
        ("有条件共享", "无条件开放", "每月", "数据库")
    assert cells["信息项信息"].startswith("统一社会信用代码:字符型(18)；企业名称:字符型(18)")
    assert cells["发布日期"] == datetime(2024, 3, 1)          # a real date cell, not text
    assert cells["信息资源提供方"] == "省市场监督管理局"


def test_a_department_sheet_is_read_with_labels_codes_and_either_punctuation():
    body = workbook([
        ["某市市场监督管理局政务信息资源目录（2024 年版）"],
        ["序号", "信息资源名称", "信息资源代码", "信息资源分类", "信息资源摘要", "信息资源格式分类", "格式类型",
         "信息项", "共享类型", "共享方式", "开放属性", "开放条件", "更新周期", "发布日期", "关键词", "数据主题"],
        [1, "企业登记信息", "102/000001", "102 法人单位", "企业登记的基本信息。", "数据库", "mysql",
         "统一社会信用代码：C（18）；企业名称:字符型;成立日期：D\n注册资本:货币型(18):单位：万元",
         "无条件共享", "共享平台(接口)", "有条件开放", "需签署协议。", "每季度", datetime(2024, 3, 1),
         "企业；登记;市场主体", "司法、法律体系和公共安全；ECON"],
        [2, "食品经营许可", "204/000001", "204", "食品经营许可信息。", "electronic_file", "pdf", None,
         "unconditional", "文件", "是", None, "每半年", "2024年3月5日", None, None],
        [3, "抽检结果", "204/000002", "204", "抽检结果。", "电子文件", "pdf", None, "无条件共享", "邮件",
         "否", None, "不定期", "2024/3/9", None, None],
    ])
    first, second, third = read(body, "xlsx")
    assert first.number == 3 and not first.problems
    doc = sheets.checked_document(first, provider=PROVIDER)
    assert doc["classification"] == "102" and doc["format_class"] == "database"
    assert doc["data_items"] == [{"name": "统一社会信用代码", "type": "C", "length": 18},
                                 {"name": "企业名称", "type": "C"}, {"name": "成立日期", "type": "D"},
                                 {"name": "注册资本", "type": "Y", "length": 18, "description": "单位：万元"}]
    assert (doc["share_method"], doc["open_type"], doc["update_frequency"], doc["issued"]) == \
        ("platform_api", "conditional", "quarterly", "2024-03-01")
    assert doc["keywords"] == ["企业", "登记", "市场主体"] and doc["themes"] == ["JUST", "ECON"]
    second_doc = sheets.checked_document(second, provider=PROVIDER)
    assert (second_doc["open_type"], second_doc["share_method"], second_doc["issued"]) == \
        ("unconditional", "platform_file", "2024-03-05")
    assert sheets.checked_document(third, provider=PROVIDER)["issued"] == "2024-03-09"


def test_dates_as_text_serial_numbers_or_excel_dates():
    assert {sheets.date_value(x) for x in ("2024-03-01", "2024/3/1", "2024.03.01", "2024年3月1日", "20240301",
                                           45352, "45352", datetime(2024, 3, 1, 9, 30))} == {"2024-03-01"}
    with pytest.raises(ValueError):
        sheets.date_value("下个月")


def test_bad_rows_are_reported_with_row_column_and_reason():
    good = sheet_export.row_cells(representation(rich_doc(0)))
    rows = [sheets.HEADERS, good]
    bad_label = list(good)
    bad_label[sheets.HEADERS.index("共享类型")] = "随便共享"
    no_conditions = sheet_export.row_cells(representation(rich_doc(1, conditional_share=True)))
    no_conditions[sheets.HEADERS.index("共享条件")] = None
    bad_item = list(good)
    bad_item[sheets.HEADERS.index("信息项信息")] = "姓名:字符型；年龄:整数型"
    bad_date = list(good)
    bad_date[sheets.HEADERS.index("时间范围止")] = "2019-01-01"     # before the start
    rows += [bad_label, no_conditions, bad_item, bad_date]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    parsed = read(buffer.getvalue().encode("utf-8"), "csv")
    reports = {}
    for row in parsed:
        try:
            sheets.checked_document(row)
        except sheets.RowInvalid as invalid:
            reports[row.number] = [(p.row, p.column, p.reason) for p in invalid.problems]
    assert set(reports) == {3, 4, 5, 6}
    assert reports[3] == [(3, "共享类型", reports[3][0][2])] and "随便共享" in reports[3][0][2]
    assert reports[4] == [(4, "共享条件", "有条件共享的资源必须填写共享条件。")]
    assert reports[5][0][:2] == (5, "信息项信息") and "整数型" in reports[5][0][2]
    assert reports[6] == [(6, "时间范围止", "结束日期不能早于开始日期。")]


def test_csv_in_gbk_and_utf8_without_bom():
    buffer = io.StringIO()
    csv.writer(buffer).writerows([sheets.HEADERS, sheet_export.row_cells(representation(rich_doc(0)))])
    text = buffer.getvalue()
    assert text.encode("gbk")            # every character of the row exists in GBK
    for body in (text.encode("gbk"), text.encode("utf-8"), codecs.BOM_UTF8 + text.encode()):
        (row,) = read(body, "csv")
        assert row.doc["title"] == "企业登记信息0" and row.doc["share_type"] == "unconditional"


def test_missing_headers_are_named():
    with pytest.raises(sheets.MissingHeaders) as caught:
        read(workbook([["信息资源名称", "信息资源摘要", "共享类型"], ["a", "b", "无条件共享"]]), "xlsx")
    assert caught.value.missing == ["信息资源分类", "信息资源格式", "是否向社会开放", "更新周期"]
    assert "信息资源分类" in caught.value.zh


def test_a_file_that_is_not_a_workbook_is_refused():
    with pytest.raises(sheets.SheetError):
        read(b"PK\x03\x04 broken beyond repair", "xlsx")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    with pytest.raises(sheets.SheetError) as caught:
        read(archive.getvalue(), "xlsx")
    assert "cannot be read" in caught.value.en


def test_a_workbook_that_would_unpack_too_far_is_refused_before_unpacking(monkeypatch):
    monkeypatch.setattr(sheets, "MAX_UNPACKED_BYTES", 1024 * 1024)
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([])))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        for item in source.infolist():
            z.writestr(item, source.read(item))
        z.writestr("xl/sharedStrings.xml", b"<sst>" + b"<si><t>" + b"A" * 4_000_000 + b"</t></si></sst>")
    assert len(bomb.getvalue()) < 100_000
    with pytest.raises(sheets.SheetError) as caught:
        read(bomb.getvalue(), "xlsx")
    assert "unpack" in caught.value.en


def test_text_that_looks_like_a_formula_stays_text():
    doc = rich_doc(0, title="=HYPERLINK(\"http://evil.example\",\"点击\")")
    rep = representation(doc)
    sheet = load_workbook(io.BytesIO(xlsx_bytes([rep])))[sheets.SHEET_NAME]
    assert sheet.cell(2, 2).data_type == "s"
    csv_body = b"".join(sheet_export.csv_chunks([rep]))
    written = list(csv.reader(io.StringIO(csv_body.decode("utf-8-sig"))))[1]
    assert written[1] == "'" + doc["title"]
    for body, kind in ((xlsx_bytes([rep]), "xlsx"), (csv_body, "csv")):
        assert read(body, kind)[0].doc["title"] == doc["title"]


def test_file_kind_from_type_then_extension_then_content():
    assert sheets.file_kind(sheets.XLSX_MEDIA_TYPE, "/x.csv", b"") == "xlsx"
    assert sheets.file_kind("text/csv", "/x.xlsx", b"PK") == "csv"
    assert sheets.file_kind("application/octet-stream", "/catalog.XLSX", b"") == "xlsx"
    assert sheets.file_kind("application/octet-stream", "/download", b"PK\x03\x04") == "xlsx"
    assert sheets.file_kind("application/octet-stream", "/download", "信息资源名称".encode()) == "csv"


# -- over HTTP and the command line -----------------------------------------------------------------
def publish(db, department, docs: list[dict]) -> list[int]:
    with db.transaction() as session:
        registrations = [prepare_registration(session, None, {**d, "provider": department.credit_code},
                                              check_permission=False) for d in docs]
        return register_resources(session, None, registrations, publish=True, comment="test")


def test_template_xlsx_has_headers_explanations_and_dropdowns(client):
    response = client.get("/api/v1/resources/template.xlsx")
    assert response.status_code == 200 and response.mimetype == sheets.XLSX_MEDIA_TYPE
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["信息资源目录", "填写说明"]
    main_sheet = book["信息资源目录"]
    assert [c.value for c in next(main_sheet.iter_rows(max_row=1))] == sheets.HEADERS
    assert main_sheet.max_row == 1
    guide = {row[0]: row for row in book["填写说明"].iter_rows(min_row=2, values_only=True)}
    assert set(guide) == set(sheets.HEADERS)
    assert guide["共享类型"][4] == "无条件共享、有条件共享、不予共享" and guide["共享类型"][2] == "是"
    assert "名称:类型(长度):说明" in guide["信息项信息"][3]
    share_column = sheets.HEADERS.index("共享类型")
    dropdowns = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in main_sheet.data_validations.dataValidation}
    letter = chr(ord("A") + share_column)
    assert dropdowns[f"{letter}2"] == '"无条件共享,有条件共享,不予共享"'


def test_template_csv_is_the_header_row_with_a_bom(client):
    response = client.get("/api/v1/resources/template.csv")
    assert response.status_code == 200 and response.data.startswith(codecs.BOM_UTF8)
    assert response.data.decode("utf-8-sig").strip() == ",".join(sheets.HEADERS)


def test_export_holds_the_published_catalog_filtered_by_department(db, world, client):
    mine = publish(db, world.dept_a, [rich_doc(0), rich_doc(1, database=True)])
    publish(db, world.dept_b, [rich_doc(2)])
    client.post("/api/v1/resources", json=ResourceDataFactory(title="草稿资源"), headers=world.editor_a.headers)
    everything = read(client.get("/api/v1/resources/export.csv").data, "csv")
    assert sorted(r.doc["title"] for r in everything) == ["企业登记信息0", "企业登记信息1", "企业登记信息2"]
    response = client.get(f"/api/v1/resources/export.xlsx?department={world.dept_a.credit_code}")
    assert response.status_code == 200
    rows = read(response.data, "xlsx")
    assert [r.doc["title"] for r in rows] == ["企业登记信息0", "企业登记信息1"] and len(mine) == 2
    assert all(r.doc["provider"] == world.dept_a.credit_code for r in rows)
    assert rows[1].doc["data_items"] == normalize_metadata(
        ResourceDataFactory(data_items=[DataItemFactory() for _ in range(4)]))["data_items"]
    only_db = read(client.get("/api/v1/resources/export.csv?format_class=database").data, "csv")
    assert [r.doc["title"] for r in only_db] == ["企业登记信息1"]


def test_export_refuses_unknown_filters(client):
    assert client.get("/api/v1/resources/export.csv?department=123").status_code == 400
    assert client.get("/api/v1/resources/export.xlsx?colour=red").status_code == 400


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_cli_export_writes_the_layout(db, world, database_url, tmp_path, monkeypatch, fmt):
    publish(db, world.dept_a, [rich_doc(n) for n in range(3)])
    monkeypatch.setenv("GOVCAT_DATABASE_URL", database_url)
    monkeypatch.setenv("GOVCAT_INSTANCE", str(tmp_path / "instance"))
    out = tmp_path / f"catalog.{fmt}"
    result = CliRunner().invoke(main, ["export", "--format", fmt, "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "exported 3 resources" in result.output
    rows = read(out.read_bytes(), fmt)
    assert [r.code for r in rows] == ["102/000001", "102/000002", "102/000003"]
    assert [r.doc["title"] for r in rows] == ["企业登记信息0", "企业登记信息1", "企业登记信息2"]
