"""Spreadsheets in the compilation guide's layout: the template to download, the catalog as a sheet,
and registration by upload.

The layout itself is :mod:`registry.resources.sheets`, written by :mod:`registry.resources.sheet_export`
and read for uploads by :mod:`registry.resources.sheet_upload`; these views only choose the rows and
the file type.  The template and the export are public (the export holds published resources only);
an upload needs a signed-in user who may register for the rows' department.
"""
from __future__ import annotations

import tempfile

from flask import Blueprint, Response, current_app, jsonify, request, send_file, stream_with_context

from vocab import enumerations as v
from registry.api.common import query_args
from vocab.codes import is_valid_classification_code, is_valid_credit_code
from registry.db import get_db, get_session
from registry.errors import BadRequest
from registry.auth import current_actor
from registry.permissions import require_signed_in
from registry.resources import sheet_export, sheet_upload, sheets
from registry.search import index_after_commit

bp = Blueprint("sheets", __name__)

# The search API's filters that the export takes too: name → check of its value.
FILTERS = {
    "department": is_valid_credit_code,
    "classification": is_valid_classification_code,
    "share_type": v.SHARE_TYPES.__contains__,
    "open_type": v.OPEN_TYPES.__contains__,
    "format_class": v.FORMAT_CLASSES.__contains__,
    "update_frequency": v.UPDATE_FREQUENCIES.__contains__,
}


def _attachment(name: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def _xlsx_response(reps, name: str):
    """Write the workbook to a temporary file (openpyxl's write-only mode: memory stays flat), send it."""
    spool = tempfile.TemporaryFile()
    sheet_export.write_xlsx(reps, spool)
    spool.seek(0)
    return send_file(spool, mimetype=sheets.XLSX_MEDIA_TYPE, as_attachment=True, download_name=name)


def _filters() -> dict:
    args = query_args(set(FILTERS))
    chosen = {}
    for name, check in FILTERS.items():
        value = args.get(name, "").strip()
        if value and not check(value):
            raise BadRequest(f"参数 {name} 的值无效。", f"Not a valid value for {name}: {value[:40]}", name)
        chosen[name] = value or None
    return chosen


@bp.get("/resources/template.xlsx")
def template_xlsx():
    """The empty layout: the header row with drop-down lists, and a sheet explaining each column."""
    query_args(set())
    return _xlsx_response([], "govcat-template.xlsx")


@bp.get("/resources/template.csv")
def template_csv():
    """The header row as CSV (UTF-8 with BOM); the explanations are in the xlsx template."""
    query_args(set())
    return Response(b"".join(sheet_export.csv_chunks([])), mimetype="text/csv",
                    headers=_attachment("govcat-template.csv"))


@bp.get("/resources/export.xlsx")
def export_xlsx():
    """The published catalog (filtered like the search API) as a workbook in the template's layout."""
    filters = _filters()
    return _xlsx_response(sheet_export.published_representations(get_session(), **filters), "govcat-catalog.xlsx")


@bp.get("/resources/export.csv")
def export_csv():
    """The published catalog as CSV, streamed from the database as it is written."""
    filters = _filters()
    app = current_app._get_current_object()

    def generate():
        with app.app_context(), get_db(app).reader() as session:
            yield from sheet_export.csv_chunks(sheet_export.published_representations(session, **filters))

    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers=_attachment("govcat-catalog.csv"))


@bp.post("/resources/upload")
def upload_sheet():
    """Judge every row of an uploaded sheet; unless ``dry_run``, register the rows that pass as drafts."""
    actor = current_actor()
    require_signed_in(actor)                # before the body is read
    args = query_args({"dry_run"})
    flag = args.get("dry_run", "").lower()
    if flag not in ("", "true", "false", "1", "0"):
        raise BadRequest("dry_run 应为 true 或 false。", "dry_run is true or false.", "dry_run")
    dry_run = flag in ("true", "1")
    upload = request.files.get("file")
    if upload is None:
        raise BadRequest("请以表单字段 file 上传表格（multipart/form-data）。",
                         "Send the sheet as the form field file (multipart/form-data).", "file")
    session = get_session()
    outcomes = sheet_upload.preview(session, actor, upload.read(), name=upload.filename or "",
                                    content_type=upload.mimetype or "")
    created = []
    if dry_run:
        session.rollback()
    else:
        ids = sheet_upload.register_valid_rows(session, actor, outcomes)
        session.commit()
        index_after_commit()
        valid = [o for o in outcomes if not o.problems]
        created = [{"id": i, "code": code, "title": o.title, "row": o.number}
                   for i, o, code in zip(ids, valid, sheet_upload.codes_of(session, ids))]
    valid_count = sum(1 for o in outcomes if not o.problems)
    return jsonify({"dry_run": dry_run, "valid": valid_count, "invalid": len(outcomes) - valid_count,
                    "rows": [o.as_dict() for o in outcomes], "created": created})
