"""Spreadsheets in the compilation guide's layout: the template to download, the catalog as a sheet.

The layout itself is :mod:`registry.resources.sheets`, written by :mod:`registry.resources.sheet_export`;
these views only choose the rows and the file type.  Both are public: the template is blank, the export holds published resources only.
"""
from __future__ import annotations

import tempfile

from flask import Blueprint, Response, current_app, send_file, stream_with_context

from registry import vocabularies as v
from registry.api.common import query_args
from registry.codes import is_valid_classification_code, is_valid_credit_code
from registry.db import get_db, get_session
from registry.errors import BadRequest
from registry.resources import sheet_export, sheets

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
