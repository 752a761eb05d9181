"""A department's catalog kept as a spreadsheet, harvested end to end from a local server."""
from __future__ import annotations

import csv
import io
import shutil
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from harvesters import services
from harvesters.models import HarvestError, HarvestRecord
from harvesters.services import run_source
from registry.audit.models import AuditEvent
from registry.db import Database
from registry.demo.catalog import generate_resources, load_departments
from registry.departments.models import Department
from registry.departments.services import create_department
from registry.resources import sheet_export, sheets
from registry.resources.models import Resource
from registry.resources.services import prepare_registration, register_resources
from tests.harvesters.conftest import dataset_doc
from vocab.mapping import canonical_metadata

XLSX = sheets.XLSX_MEDIA_TYPE


@pytest.fixture
def make_sheet_source(make_source):
    return lambda url, name="dept-sheet", **options: make_source(name, url, type="spreadsheet", **options)


def row(n: int, doc: dict | None = None, code: str | None = "auto") -> dict:
    """What a department's sheet says of its resource ``n``: the document and its code."""
    return {**(doc or dataset_doc(n)), "code": f"102/{n + 1:06d}" if code == "auto" else code,
            "provider_name": "某市市场监督管理局"}


def xlsx(rows: list[dict]) -> bytes:
    buffer = io.BytesIO()
    sheet_export.write_xlsx(rows, buffer)
    return buffer.getvalue()


def harvested(db) -> dict:
    with db.reader() as session:
        rows = session.execute(select(HarvestRecord.original_id, Resource.state, Resource.doc).join(
            Resource, Resource.id == HarvestRecord.resource_id))
        return {r.original_id: (r.state, r.doc) for r in rows}


def count(db, model) -> int:
    with db.reader() as session:
        return session.scalar(select(func.count()).select_from(model))


def errors_of(db, report) -> dict:
    with db.reader() as session:
        return {e.record_id: e for e in session.scalars(select(HarvestError).where(
            HarvestError.job_id == report.job_id))}


def test_workbook_is_harvested_with_every_field(db, world, remote, make_sheet_source):
    docs = [dataset_doc(0, issued="2024-03-01", spatial="330100", themes=["ECON"], language=["zh"],
                        contact_point={"name": "数据科", "email": "data@example.gov.cn"}),
            dataset_doc(1, format_class="database", format_type="mysql",
                        data_items=[{"name": "统一社会信用代码", "type": "C", "length": 18},
                                    {"name": "注册资本", "type": "Y", "description": "单位：万元"}]),
            dataset_doc(2, share_type="none", share_basis="《政府信息公开条例》第十四条。", open_type="none")]
    docs[2].pop("share_method")
    make_sheet_source(remote.serve("/catalog.xlsx", xlsx([row(n, d) for n, d in enumerate(docs)]),
                                   content_type=XLSX))
    report = run_source(db, "dept-sheet")
    assert report.status == "succeeded", report.error
    assert (report.counters["created"], report.counters["failed"]) == (3, 0), report.errors
    stored = harvested(db)
    assert set(stored) == {"102/000001", "102/000002", "102/000003"}
    for n, doc in enumerate(docs):
        state, got = stored[f"102/{n + 1:06d}"]
        assert state == "published"
        expected = canonical_metadata({**doc, "provider": world.dept_a.credit_code})
        assert canonical_metadata(got) == {**expected, "issued": got["issued"]}   # publishing dates the others


def test_gbk_csv_recognised_by_its_extension(db, world, remote, make_sheet_source):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([sheets.HEADERS] + [sheet_export.row_cells(row(n)) for n in range(2)])
    make_sheet_source(remote.serve("/exports/catalog.csv", buffer.getvalue().encode("gbk"),
                                   content_type="application/octet-stream"))
    report = run_source(db, "dept-sheet")
    assert report.counters["created"] == 2, (report.error, report.errors)
    assert sorted(doc["title"] for _s, doc in harvested(db).values()) == ["部门数据集0", "部门数据集1"]


def test_workbook_recognised_by_its_content(db, world, remote, make_sheet_source):
    make_sheet_source(remote.serve("/download?id=7", xlsx([row(0)]), content_type="application/octet-stream"))
    report = run_source(db, "dept-sheet")
    assert report.counters["created"] == 1, (report.error, report.errors)


def test_second_run_writes_nothing_then_a_change_updates_and_a_vanished_row_is_withdrawn(
        db, world, remote, make_sheet_source):
    rows = [row(n) for n in range(3)]
    url = remote.serve("/catalog.xlsx", xlsx(rows), content_type=XLSX)
    make_sheet_source(url)
    run_source(db, "dept-sheet")
    before = (harvested(db), count(db, AuditEvent))
    report = run_source(db, "dept-sheet")
    assert (report.counters["unchanged"], report.counters["created"], report.counters["updated"]) == (3, 0, 0)
    assert (harvested(db), count(db, AuditEvent)) == before
    rows[1]["description"] = "摘要已修订。"
    remote.serve("/catalog.xlsx", xlsx([rows[0], rows[1]]), content_type=XLSX)
    report = run_source(db, "dept-sheet")
    assert report.status == "succeeded", report.error
    assert (report.counters["unchanged"], report.counters["updated"], report.counters["withdrawn"]) == (1, 1, 1)
    stored = harvested(db)
    assert stored["102/000002"][1]["description"] == "摘要已修订。"
    assert stored["102/000003"][0] == "withdrawn"


def test_invalid_rows_are_error_rows_and_valid_ones_load(db, world, remote, make_sheet_source):
    bad_label = row(1)
    cells = [sheet_export.row_cells(row(0)), sheet_export.row_cells(bad_label)]
    cells[1][sheets.HEADERS.index("共享类型")] = "内部共享"
    no_conditions = row(2, {**dataset_doc(2), "share_type": "conditional"})
    anonymous = row(3, code=None)
    own_id = row(4, code=None)
    cells += [sheet_export.row_cells(no_conditions), sheet_export.row_cells(anonymous), sheet_export.row_cells(own_id)]
    cells[-1][sheets.HEADERS.index("部门资源标识")] = "SJ-2024-0042"
    buffer = io.StringIO()
    csv.writer(buffer).writerows([sheets.HEADERS] + cells)
    url = remote.serve("/catalog.csv", buffer.getvalue().encode("utf-8"), content_type="text/csv")
    make_sheet_source(url)
    report = run_source(db, "dept-sheet")
    assert report.status == "succeeded", report.error
    assert (report.counters["created"], report.counters["failed"]) == (2, 3), report.errors
    assert set(harvested(db)) == {"102/000001", f"{url}#SJ-2024-0042"}
    errors = errors_of(db, report)
    assert errors["102/000002"].stage == "map"
    assert errors["102/000002"].message.startswith("第 3 行 共享类型：") and "内部共享" in errors["102/000002"].message
    assert "第 3 行" in errors["102/000002"].snippet and "部门数据集1" in errors["102/000002"].snippet
    assert errors["102/000003"].message == "第 4 行 共享条件：有条件共享的资源必须填写共享条件。"
    assert errors[f"{url}#row-5"].stage == "fetch" and "row number is not a stable identity" in \
        errors[f"{url}#row-5"].message


@pytest.mark.parametrize("body, content_type, reason", [
    (b"<html>maintenance</html>", XLSX, "not an xlsx workbook"),
    (b"PK\x03\x04\x14\x00 cut short", "application/octet-stream", "not an xlsx workbook"),
    (None, XLSX, "the sheet lacks the headers 信息资源分类, 信息资源格式"),
    (b"\xff\xfe\x00garbage\x81\x00", "text/csv", "neither UTF-8 nor GBK"),
])
def test_unreadable_file_fails_the_job_and_keeps_the_catalog(db, world, remote, make_sheet_source,
                                                             body, content_type, reason):
    url = remote.serve("/catalog.xlsx", xlsx([row(n) for n in range(2)]), content_type=XLSX)
    make_sheet_source(url)
    run_source(db, "dept-sheet")
    before = (harvested(db), count(db, AuditEvent))
    if body is None:       # a workbook whose sheet has other headers
        buffer = io.BytesIO()
        book = Workbook()
        book.active.append(["信息资源名称", "信息资源摘要", "共享类型", "是否向社会开放", "更新周期"])
        book.active.append(["人口信息", "摘要", "无条件共享", "无条件开放", "每月"])
        book.save(buffer)
        body = buffer.getvalue()
    remote.serve("/catalog.xlsx", body, content_type=content_type)
    report = run_source(db, "dept-sheet")
    assert report.status == "failed" and reason in report.error, report.error
    assert report.error.startswith("gather: ")
    assert report.counters["withdrawn"] == 0
    assert (harvested(db), count(db, AuditEvent)) == before


def test_zip_bomb_workbook_is_refused_before_unpacking(db, world, remote, make_sheet_source, monkeypatch):
    monkeypatch.setattr(sheets, "MAX_UNPACKED_BYTES", 2 * 1024 * 1024)
    source = zipfile.ZipFile(io.BytesIO(xlsx([row(0)])))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        for item in source.infolist():
            if item.filename != "xl/sharedStrings.xml":
                z.writestr(item, source.read(item))
        z.writestr("xl/sharedStrings.xml", b"<sst><si><t>" + b"x" * 8_000_000 + b"</t></si></sst>")
    make_sheet_source(remote.serve("/catalog.xlsx", bomb.getvalue(), content_type=XLSX))
    report = run_source(db, "dept-sheet")
    assert report.status == "failed" and "would unpack to" in report.error
    assert count(db, Resource) == 0


def test_http_error_slow_server_and_enormous_file_fail_the_job(db, world, remote, make_sheet_source):
    url = remote.serve("/catalog.xlsx", xlsx([row(0)]), content_type=XLSX)
    make_sheet_source(url)
    run_source(db, "dept-sheet")
    before = harvested(db)
    remote.serve("/catalog.xlsx", b"oops", status=500, content_type="text/plain")
    report = run_source(db, "dept-sheet")
    assert report.status == "failed" and "HTTP 500" in report.error
    remote.serve("/catalog.xlsx", xlsx([row(0)]), content_type=XLSX, delay=2)
    report = run_source(db, "dept-sheet", read_timeout=0.3)
    assert report.status == "failed" and "timed out" in report.error
    remote.serve("/catalog.xlsx", stream_bytes=8 * 1024 * 1024, content_type=XLSX)
    report = run_source(db, "dept-sheet", max_bytes=1024 * 1024)
    assert report.status == "failed" and "cap" in report.error
    assert harvested(db) == before


def test_a_code_the_catalog_already_uses_is_a_duplicate(db, world, remote, make_sheet_source):
    with db.transaction() as session:
        own = prepare_registration(session, None, {**dataset_doc(9), "provider": world.dept_b.credit_code},
                                   check_permission=False)
        register_resources(session, None, [own], publish=True)         # this catalog's 102/000001
    make_sheet_source(remote.serve("/catalog.xlsx", xlsx([row(0), row(1)]), content_type=XLSX))
    report = run_source(db, "dept-sheet")
    assert (report.counters["created"], report.counters["duplicates"]) == (1, 1), report.errors
    assert "resource code 102/000001 is already in the catalog" in errors_of(db, report)["102/000001"].message


# -- a govcat export harvested into another govcat ----------------------------------------------------
def demo_like_docs(department) -> list[dict]:
    """A sample of the demo generator's resources (every format class), as ``department``'s own."""
    generated = generate_resources({d["credit_code"]: "301" for d in load_departments()})
    sample, classes = [], {}
    for doc in generated:
        if classes.get(doc["format_class"], 0) < 3:
            classes[doc["format_class"]] = classes.get(doc["format_class"], 0) + 1
            classification = department.branch_code if doc["classification"].startswith("3") \
                else doc["classification"]
            sample.append({**doc, "provider": department.credit_code, "classification": classification})
    return sample


@pytest.fixture
def other_catalog(sqlite_template, tmp_path):
    """A second, empty catalog (SQLite), to harvest into."""
    path = tmp_path / "other.db"
    shutil.copy(sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


def test_an_export_harvested_into_another_catalog_round_trips(db, world, client, remote, other_catalog):
    docs = demo_like_docs(world.dept_a)
    assert {d["format_class"] for d in docs} >= {"database", "service_interface", "image", "spreadsheet"}
    with db.transaction() as session:
        registrations = [prepare_registration(session, None, d, check_permission=False) for d in docs]
        register_resources(session, None, registrations, publish=True, comment="demo-like")
    with db.reader() as session:
        published = {r.code: r.doc for r in session.scalars(select(Resource))}
    export = client.get(f"/api/v1/resources/export.xlsx?department={world.dept_a.credit_code}")
    assert export.status_code == 200

    with other_catalog.transaction() as session:   # the same department, registered there too
        twin = create_department(session, None, {
            "credit_code": world.dept_a.credit_code, "name": world.dept_a.name, "level": world.dept_a.level,
            "region_code": world.dept_a.region_code}, check_permission=False)
        assert twin.branch_code == world.dept_a.branch_code
        services.add_source(session, name="province", type="spreadsheet", department=twin.credit_code,
                            url=remote.serve("/catalog.xlsx", export.data, content_type=XLSX))
    report = run_source(other_catalog, "province")
    assert report.status == "succeeded", report.error
    assert (report.counters["created"], report.counters["failed"], report.counters["duplicates"]) == \
        (len(docs), 0, 0), report.errors
    copies = harvested(other_catalog)
    assert set(copies) == set(published)            # provenance: the source's codes
    for code, doc in published.items():
        assert canonical_metadata(copies[code][1]) == canonical_metadata(doc), code
    with other_catalog.reader() as session:
        assert session.scalar(select(func.count()).select_from(Department)) == 1
    again = run_source(other_catalog, "province")
    assert again.counters["unchanged"] == len(docs) and again.counters["updated"] == 0


def test_a_row_inserted_above_leaves_the_others_unchanged(db, world, remote, make_sheet_source):
    rows = [row(n) for n in range(2)]
    make_sheet_source(remote.serve("/catalog.xlsx", xlsx(rows), content_type=XLSX))
    run_source(db, "dept-sheet")
    events = count(db, AuditEvent)
    remote.serve("/catalog.xlsx", xlsx([row(5)] + rows), content_type=XLSX)
    report = run_source(db, "dept-sheet")
    assert (report.counters["created"], report.counters["unchanged"], report.counters["updated"]) == (1, 2, 0)
    assert set(harvested(db)) == {"102/000001", "102/000002", "102/000006"}
    assert count(db, AuditEvent) == events + 1
