"""The scorecards as data: the API's answers, the rows of the xlsx and csv exports, and the text the
pages show — all from one rounding of the numbers, so the page, the API and both exports agree.

Shares are given as fractions (0..1) to four decimals, means (quality points, working days) to two,
scores to one; the pages show shares as percentages of those same numbers.  A measure that is None
is null in JSON and "—" in the exports and on the pages.
"""
from __future__ import annotations

import codecs
import csv
import io
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from registry.departments.models import Department
from registry.evaluation.scorecards import Evaluation, Measure, Scorecard, measure
from registry.i18n import in_language
from registry.resources.sheets import FORMULA_START

MISSING = "—"
DIGITS = {"share": 4, "points": 2, "days": 2}


def rounded(key: str, value):
    """``value`` of measure ``key`` as every output gives it."""
    if value is None:
        return None
    digits = DIGITS.get(measure(key).kind)
    if digits is None:
        return round(value) if isinstance(value, float) and value.is_integer() else value
    return round(float(value), digits)


def measure_representation(m: Measure) -> dict:
    return {"key": m.key, "label": {"zh": m.zh, "en": m.en}, "kind": m.kind, "scored": m.scored is not None}


def _department(department: Department) -> dict:
    return {"credit_code": department.credit_code, "name": department.name, "name_en": department.name_en,
            "level": department.level}


def card_representation(card: Scorecard, keys: list[str]) -> dict:
    found = {"score": card.score, "measures": {k: rounded(k, card.measures.get(k)) for k in keys}}
    if card.department is not None:
        found = {"rank": card.rank, **_department(card.department), **found}
    return found


def catalog_representation(evaluation: Evaluation) -> dict:
    keys = evaluation.keys
    return {"taken_at": evaluation.taken_at.isoformat(),
            "measures": [measure_representation(measure(k)) for k in keys],
            "catalog": card_representation(evaluation.catalog, keys),
            "departments": [card_representation(c, keys) for c in evaluation.departments]}


def department_representation(evaluation: Evaluation, card: Scorecard, trend: list[dict]) -> dict:
    keys = evaluation.keys
    return {"taken_at": evaluation.taken_at.isoformat(),
            "measures": [measure_representation(measure(k)) for k in keys],
            "department": card_representation(card, keys),
            "ranked": sum(1 for c in evaluation.departments if c.rank is not None),
            "catalog": card_representation(evaluation.catalog, keys),
            "trend": [{**point, "measures": {k: rounded(k, point["measures"].get(k)) for k in keys
                                             if k in point["measures"]}} for point in trend]}


# -- display ---------------------------------------------------------------------------------------
def shown(key: str, value) -> str:
    """A measure's value as the pages show it: shares as percentages, "—" when not measurable."""
    value = rounded(key, value)
    if value is None:
        return MISSING
    kind = measure(key).kind
    if kind == "share":
        return f"{value * 100:.2f}".rstrip("0").rstrip(".") + "%"
    if kind in ("points", "days"):
        return f"{value:g}"
    return str(value)


def shown_score(score: float | None) -> str:
    return MISSING if score is None else f"{score:g}"


def label(key: str) -> str:
    m = measure(key)
    return in_language(m.zh, m.en)


def department_name(department: Department) -> str:
    return in_language(department.name, department.name_en or department.name)


# -- exports ---------------------------------------------------------------------------------------
def table(evaluation: Evaluation) -> list[list]:
    """The ranking as rows: a header, the whole catalog, then each department by rank."""
    keys = evaluation.keys
    header = [in_language("名次", "Rank"), in_language("统一社会信用代码", "Credit code"),
              in_language("部门", "Department"), in_language("总分", "Score"), *(label(k) for k in keys)]
    rows = [header, [MISSING, MISSING, in_language("全部目录", "Whole catalog"), _cell(evaluation.catalog.score),
                     *(_cell(rounded(k, evaluation.catalog.measures.get(k))) for k in keys)]]
    for card in evaluation.departments:
        rows.append([_cell(card.rank), card.department.credit_code, department_name(card.department),
                     _cell(card.score), *(_cell(rounded(k, card.measures.get(k))) for k in keys)])
    return rows


def _cell(value):
    return MISSING if value is None else value


def _text(value) -> str:
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_START) else text


def csv_bytes(rows: list[list]) -> bytes:
    """UTF-8 with a BOM (spreadsheet programs then read it as UTF-8); a text never opens as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_text(x) for x in row])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def write_xlsx(rows: list[list], target: BinaryIO, *, title: str) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    bold = Font(bold=True)
    for number, row in enumerate(rows):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"        # text, never a formula
            if number == 0:
                cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    workbook.save(target)
