"""Writing the catalog in the spreadsheet layout of :mod:`registry.resources.sheets`: the template
download, the exports (``/api/v1/resources/export.xlsx|.csv``, ``govcat export --format xlsx|csv``).

A workbook is written in openpyxl's write-only mode and CSV in chunks, so an export of the whole
catalog costs constant memory; what is written reads back through ``sheets`` to the same documents.
Cells never become formulas: a text that starts like one is written as text (xlsx) or quoted (CSV).
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import date
from typing import BinaryIO, Iterable, Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import Session

from vocab import enumerations as v
from registry.departments.models import Department
from registry.resources.models import Resource
from registry.resources.services import resource_representation
from registry.resources.sheets import (COLUMNS, DISTRIBUTION_KEYS, FORMULA_START, GUIDE_SHEET_NAME, HEADERS,
                                       SEPARATOR_STANDINS, SERVICE_KEYS, SHEET_NAME, Column)


# -- writing ---------------------------------------------------------------------------------------
def _label(enumeration: v.Enumeration, key) -> str | None:
    return enumeration[key].zh if key in enumeration else key


def _get(rep: dict, path: str):
    head, _dot, rest = path.partition(".")
    value = rep.get(head)
    return value.get(rest) if rest and isinstance(value, dict) else (None if rest else value)


def _keyed(entry: dict, keys: dict[str, str]) -> str:
    parts = []
    for key, name in keys.items():
        value = entry.get(name)
        if isinstance(value, dict):
            value = f"{value.get('algorithm')}:{value.get('value')}"
        if value not in (None, ""):
            parts.append(f"{key}={_one_line(str(value), '|')}")
    return "|".join(parts)


def cell_text(column: Column, rep: dict):
    """The cell of ``column`` for a resource representation (``resource_representation`` or a document)."""
    value = _get(rep, column.field) if column.field != "own_id" else None
    if value in (None, "", []):
        return None
    if column.kind == "enum":
        return _label(column.vocabulary, value)
    if column.kind == "list":
        return "；".join(_label(column.vocabulary, x) if column.vocabulary else x for x in value)
    if column.kind == "items":
        return "；".join(f"{_one_line(i['name'], '；;')}:{_label(v.DATA_ITEM_TYPES, i['type'])}"
                        + (f"({i['length']})" if i.get("length") else "")
                        + (f":{_one_line(i['description'], '；;')}" if i.get("description") else "")
                        for i in value)
    if column.kind == "distributions":
        return "\n".join(_keyed(d, DISTRIBUTION_KEYS) for d in value)
    if column.kind == "services":
        return "\n".join(_keyed(s, SERVICE_KEYS) for s in value)
    return value


def _one_line(text: str, separators: str) -> str:
    """Text that stays one entry of a cell: line breaks and the cell's separators become spaces/commas."""
    text = re.sub(r"\s*\n\s*", " ", text)
    return text.translate({ord(ch): SEPARATOR_STANDINS[ch] for ch in separators})


def row_cells(rep: dict) -> list:
    return [cell_text(column, rep) for column in COLUMNS]


def _guide_rows() -> list[list[str]]:
    rows = [["列名", "对应字段", "表头必需", "说明", "可选值"]]
    for column in COLUMNS:
        values = "、".join(t.zh for t in column.vocabulary) if column.vocabulary else ""
        rows.append([column.header, column.field or "", "是" if column.required else "", column.note, values])
    return rows


def write_xlsx(reps: Iterable[dict], target: BinaryIO, *, progress=None) -> int:
    """Write the layout as a workbook to ``target`` in write-only mode (rows go to disk as they come).

    The first sheet holds the resources, with drop-down lists for the enumerations; the second
    explains each column.  Returns the number of rows written.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_NAME)
    for index, column in enumerate(COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = 40 if column.kind in (
            "items", "distributions", "services") or column.field == "description" else 16
        if column.kind == "enum":
            labels = ",".join(t.zh for t in column.vocabulary)
            validation = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True,
                                        showErrorMessage=False)
            validation.add(f"{get_column_letter(index)}2:{get_column_letter(index)}1048576")
            sheet.data_validations.append(validation)
    sheet.append([_bold(sheet, header) for header in HEADERS])
    count = 0
    for rep in reps:
        sheet.append([_xlsx_cell(sheet, column, value) for column, value in zip(COLUMNS, row_cells(rep))])
        count += 1
        if progress:
            progress(1)
    guide = workbook.create_sheet(GUIDE_SHEET_NAME)
    for width, letter in zip((18, 22, 10, 60, 60), "ABCDE"):
        guide.column_dimensions[letter].width = width
    for number, row in enumerate(_guide_rows()):
        guide.append([_bold(guide, x) for x in row] if number == 0 else row)
    workbook.save(target)
    return count


def _bold(sheet, value):
    cell = WriteOnlyCell(sheet, value)
    cell.font = Font(bold=True)
    return cell


def _xlsx_cell(sheet, column: Column, value):
    if value is None:
        return None
    if column.kind == "date":
        return date.fromisoformat(value)
    cell = WriteOnlyCell(sheet, value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"        # text, never a formula
    return cell


def _csv_text(value) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text   # opened in a spreadsheet, never a formula


def csv_chunks(reps: Iterable[dict], *, rows_per_chunk: int = 200, progress=None) -> Iterator[bytes]:
    """The layout as CSV, UTF-8 with a BOM (so spreadsheet programs read it as UTF-8), in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    pending = 1
    yield codecs.BOM_UTF8
    for rep in reps:
        writer.writerow([_csv_text(x) for x in row_cells(rep)])
        pending += 1
        if progress:
            progress(1)
        if pending >= rows_per_chunk:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


# -- the published catalog ---------------------------------------------------------------------------
def published_representations(session: Session, *, department: str | None = None,
                              classification: str | None = None, **match: str | None) -> Iterator[dict]:
    """The published resources in code order, as representations, read in batches.

    ``department`` (credit code) and ``classification`` (a prefix) filter in the query; ``match``
    (share_type, open_type, format_class, update_frequency) on the published document.
    """
    query = select(Resource).where(Resource.is_public.is_(True))
    if department:
        query = query.join(Department, Department.id == Resource.department_id).where(
            Department.credit_code == department)
    if classification:
        query = query.where(Resource.classification_code.startswith(classification, autoescape=True))
    wanted = {k: x for k, x in match.items() if x}
    for resource in session.scalars(query.order_by(Resource.code).execution_options(yield_per=500)):
        doc = resource.public_doc
        if all(doc.get(k) == x for k, x in wanted.items()):
            yield resource_representation(resource, "published")
