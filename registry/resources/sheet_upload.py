"""Registering resources by uploading a spreadsheet in the guide's layout (:mod:`registry.resources.sheets`).

Two steps, for the browser and the API alike: :func:`preview` reads the file and judges every row —
the cells, the schema, the provider and the classification, the uploader's permission — and stores
nothing; :func:`register_valid_rows` reads the same file again and registers the rows that pass, all
in one transaction, as drafts.  A row's problems are reported at its row number and column header,
in the guide's words, so the person who fills the sheet can find them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.errors import BadRequest, ServiceError
from registry.permissions import require_signed_in
from registry.resources import sheets
from registry.resources.models import Resource
from registry.resources.services import Registration, prepare_registration, register_resources

MAX_ROWS = 5000     # rows one upload may hold; a bigger catalog is a harvest source (type spreadsheet)


@dataclass
class RowOutcome:
    number: int
    title: str
    problems: list[dict] = field(default_factory=list)     # {"column", "reason"}
    registration: Registration | None = None

    def as_dict(self) -> dict:
        return {"row": self.number, "title": self.title, "valid": not self.problems, "problems": self.problems}


def preview(session: Session, actor, body: bytes, *, name: str = "", content_type: str = "") -> list[RowOutcome]:
    """Every row of the file with what is wrong with it (nothing stored)."""
    require_signed_in(actor)
    if not body:
        raise BadRequest("上传的文件为空。", "The uploaded file is empty.", "file")
    outcomes = []
    try:
        for row in sheets.read_file(body, sheets.file_kind(content_type, name, body)):
            if len(outcomes) == MAX_ROWS:
                raise BadRequest(f"一次最多上传 {MAX_ROWS} 行。", f"An upload holds at most {MAX_ROWS} rows; "
                                 "register a bigger catalog as a harvest source.", "file")
            outcomes.append(_judge(session, actor, row))
    except sheets.SheetError as error:
        raise BadRequest(error.zh, f"The file cannot be read: {error.en}.", "file") from None
    if not outcomes:
        raise BadRequest("表格中没有信息资源行。", "The sheet has no resource rows.", "file")
    return outcomes


def _judge(session: Session, actor, row: sheets.SheetRow) -> RowOutcome:
    outcome = RowOutcome(row.number, str(row.doc.get("title") or row.cells.get("信息资源名称") or ""))
    try:
        doc = sheets.checked_document(row)
        outcome.registration = prepare_registration(session, actor, doc, normalized=True)
    except sheets.RowInvalid as invalid:
        outcome.problems = [{"column": p.column, "reason": p.reason} for p in invalid.problems]
    except ValidationError as error:
        outcome.problems = [{"column": p.column, "reason": p.reason}
                            for p in sheets.validation_problems(row.number, error)]
    except ServiceError as error:      # the provider, the classification, the permission
        column = {c.field: c.header for c in sheets.COLUMNS if c.field}.get(error.field or "", error.field or "")
        outcome.problems = [{"column": column, "reason": error.zh}]
    return outcome


def register_valid_rows(session: Session, actor, outcomes: list[RowOutcome]) -> list[int]:
    """Register the rows that passed, as drafts, in one go; the new resources' ids in row order."""
    valid = [o for o in outcomes if not o.problems and o.registration is not None]
    return register_resources(session, actor, [o.registration for o in valid],
                              comments=[f"表格登记第 {o.number} 行" for o in valid])


def codes_of(session: Session, ids: list[int]) -> list[str]:
    """The codes of the resources ``ids``, in that order."""
    codes = dict(session.execute(select(Resource.id, Resource.code).where(Resource.id.in_(ids))).all())
    return [codes[i] for i in ids]
