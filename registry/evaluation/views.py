"""The evaluation API under ``/api/v1/evaluation``: the catalog's scorecard with the ranking, one
department's scorecard with its trend, and the ranking as xlsx and csv.

The measures are public inside the government (domain.md, "Evaluation"): every signed-in user and
every API token may read them, the public may not (401).
"""
from __future__ import annotations

import tempfile

from flask import Blueprint, Response, jsonify, send_file
from marshmallow import fields

from registry.api.answers import Answer, LabelSchema, described
from registry.api.common import query_args
from registry.api.openapi import ApiPart, Op, add_api_part
from registry.auth import current_actor
from registry.db import get_session
from registry.departments.services import get_department
from registry.errors import BadRequest, NotFound
from registry.evaluation import reports
from registry.evaluation.scorecards import evaluate
from registry.evaluation.snapshots import trend
from registry.permissions import require_signed_in

bp = Blueprint("evaluation", __name__)
bp.record_once(lambda state: add_api_part(state.app, API_PART))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def department_scorecard(session, code: str):
    """The evaluation now and ``code``'s scorecard in it; 404 for an unknown or inactive department."""
    department = get_department(session, code)
    evaluation = evaluate(session)
    card = evaluation.of(department.id)
    if card is None:
        raise NotFound("该部门已停用，不参加评价。", f"The department {code} is inactive and not evaluated.")
    return evaluation, card


@bp.get("/evaluation")
def catalog():
    require_signed_in(current_actor())
    query_args(set())
    return jsonify(reports.catalog_representation(evaluate(get_session())))


@bp.get("/evaluation/departments/<code>")
def department(code: str):
    require_signed_in(current_actor())
    query_args(set())
    session = get_session()
    evaluation, card = department_scorecard(session, code)
    return jsonify(reports.department_representation(evaluation, card, trend(session, card.department.id)))


def _export_rows() -> list[list]:
    require_signed_in(current_actor())
    lang = query_args({"lang"}).get("lang", "")
    if lang not in ("", "zh", "en"):
        raise BadRequest("参数 lang 应为 zh 或 en。", "The parameter lang is zh or en.", "lang")
    return reports.table(evaluate(get_session()))


@bp.get("/evaluation/export.csv")
def export_csv():
    rows = _export_rows()
    return Response(reports.csv_bytes(rows), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="govcat-evaluation.csv"'})


@bp.get("/evaluation/export.xlsx")
def export_xlsx():
    rows = _export_rows()
    spool = tempfile.TemporaryFile()
    reports.write_xlsx(rows, spool, title="evaluation")
    spool.seek(0)
    return send_file(spool, mimetype=XLSX, as_attachment=True, download_name="govcat-evaluation.xlsx")


# -- the OpenAPI document ---------------------------------------------------------------------------
MEASURES_FIELD = dict(keys=fields.String(), values=fields.Float(allow_none=True), required=True, metadata=described(
    "Each measure by key; null when not measurable (no data: never counted as 0). 各项指标，无法计量时为 null。"))


class MeasureSchema(Answer):
    key = fields.String(required=True)
    label = fields.Nested(LabelSchema, required=True)
    kind = fields.String(required=True, metadata=described(
        "count, share (0..1), points (of 405) or days (working days). 计数、比率、分值或工作日。"))
    scored = fields.Boolean(required=True, metadata=described("Whether it counts in the score. 是否计入总分。"))


class CatalogCardSchema(Answer):
    score = fields.Float(required=True, allow_none=True, metadata=described(
        "0–100: the mean of the scored measures that are not null. 计分指标的平均值（百分制）。"))
    measures = fields.Dict(**MEASURES_FIELD)


class DepartmentCardSchema(CatalogCardSchema):
    rank = fields.Integer(required=True, allow_none=True, metadata=described(
        "Place in the ranking; null without a score. 排名；无总分时为 null。"))
    credit_code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True, allow_none=True)
    level = fields.String(required=True)


class TrendPointSchema(Answer):
    day = fields.Date(required=True)
    score = fields.Float(required=True, allow_none=True)
    rank = fields.Integer(required=True, allow_none=True)
    measures = fields.Dict(**MEASURES_FIELD)


class EvaluationSchema(Answer):
    taken_at = fields.DateTime(required=True)
    measures = fields.List(fields.Nested(MeasureSchema), required=True)
    catalog = fields.Nested(CatalogCardSchema, required=True)
    departments = fields.List(fields.Nested(DepartmentCardSchema), required=True, metadata=described(
        "Every active department, by rank; the unranked last. 各部门按名次排列。"))


class DepartmentEvaluationSchema(Answer):
    taken_at = fields.DateTime(required=True)
    measures = fields.List(fields.Nested(MeasureSchema), required=True)
    department = fields.Nested(DepartmentCardSchema, required=True)
    ranked = fields.Integer(required=True, metadata=described("How many departments are ranked. 参加排名的部门数。"))
    catalog = fields.Nested(CatalogCardSchema, required=True)
    trend = fields.List(fields.Nested(TrendPointSchema), required=True, metadata=described(
        "The daily snapshots, oldest first. 每日快照，按时间顺序。"))


TAG = "Evaluation"
EXPORT_QUERY = ("evaluation_lang",)
API_PART = ApiPart(
    {"EvaluationMeasure": MeasureSchema, "EvaluationCatalogCard": CatalogCardSchema,
     "EvaluationDepartmentCard": DepartmentCardSchema, "EvaluationTrendPoint": TrendPointSchema,
     "Evaluation": EvaluationSchema, "DepartmentEvaluation": DepartmentEvaluationSchema},
    {"Evaluation": "目录与各部门的评价记分卡及排名。The catalog's scorecard and every department's, ranked.",
     "DepartmentEvaluation": "一个部门的记分卡及趋势。One department's scorecard and its trend."},
    (
        Op("GET", "/evaluation", "getEvaluation", TAG, "The evaluation: the catalog's scorecard and the ranking",
           "政府内部公开：登录用户与访问令牌可读。Public inside the government: any signed-in user or token.",
           answer="Evaluation", errors=(400,), signed_in=True),
        Op("GET", "/evaluation/departments/{code}", "getDepartmentEvaluation", TAG,
           "One department's scorecard and trend",
           "趋势来自每日快照。The trend comes from the daily snapshots.",
           answer="DepartmentEvaluation", errors=(400, 404), signed_in=True),
        Op("GET", "/evaluation/export.xlsx", "exportEvaluationXlsx", TAG, "The ranking as a workbook",
           "与 API 数值相同；无法计量的指标为“—”。The API's numbers; a measure not measurable is “—”.",
           query=EXPORT_QUERY, errors=(400,), signed_in=True, media_type=XLSX),
        Op("GET", "/evaluation/export.csv", "exportEvaluationCsv", TAG, "The ranking as CSV",
           "UTF-8（带 BOM）。UTF-8 with a BOM.", query=EXPORT_QUERY, errors=(400,), signed_in=True,
           media_type="text/csv"),
    ),
    {"query.evaluation_lang": {"name": "lang", "in": "query", "allowEmptyValue": True,
                               "schema": {"type": "string", "enum": ["zh", "en"], "default": "zh"},
                               "description": "表头的语言。Language of the header row and the names."}},
)
