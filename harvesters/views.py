"""The harvest API under ``/api/v1/harvest``: sources, their jobs, and each job's report.

Thin views: :mod:`harvesters.services` checks permissions and validates bodies.  A source's auth
header can be written and never read back (``has_auth_header`` only).  Deleting a source that has
run deactivates it instead, and the answer says so: nothing harvested is ever lost.
"""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, url_for
from marshmallow import fields, validate

from harvesters import runs, services
from harvesters.http import AddressPolicy
from harvesters.models import JOB_STATUSES, PUBLISH_POLICIES, SEVERITIES
from harvesters.provenance import harvest_origins
from harvesters.services import (SourceSchema, SourceUpdateSchema, error_representation, job_representation, page_of,
                                 source_representation)
from registry import secrets
from registry.api.answers import Answer, described
from registry.api.openapi import BODY, ApiPart, Op, add_api_part
from registry.api.common import json_body, paging, query_args
from registry.auth import current_actor
from registry.db import get_session
from registry.resources.origins import tell_origins

log = logging.getLogger(__name__)
bp = Blueprint("harvest", __name__)
# The key of stored secrets reaches the database when the API is mounted, for the web and the command line alike;
# so does the registry's way to learn where harvested resources came from.
bp.record_once(lambda state: secrets.init_app(state.app))
bp.record_once(lambda state: tell_origins(harvest_origins))

REMOVED = {
    "deleted": ("采集源已删除（它从未运行过）。", "The source was deleted; it had never run."),
    "deactivated": ("采集源已有采集任务或记录，因此改为停用而非删除；已采集的内容均保留。",
                    "The source has harvest jobs or records, so it was deactivated rather than deleted; "
                    "nothing harvested is lost."),
}


def _policy() -> AddressPolicy:
    return AddressPolicy.from_settings(current_app.config)


@bp.get("/harvest/sources")
def list_sources():
    args = query_args({"department"})
    sources = services.visible_sources(get_session(), current_actor(), department=args.get("department") or None)
    return jsonify({"items": [source_representation(s) for s in sources], "total": len(sources)})


@bp.post("/harvest/sources")
def create_source():
    body = json_body()
    session = get_session()
    source = services.create_source(session, current_actor(), body, policy=_policy())
    session.commit()
    response = jsonify(source_representation(source))
    response.status_code = 201
    response.headers["Location"] = url_for(".get_source", source_name=source.name)
    return response


@bp.get("/harvest/sources/<source_name>")
def get_source(source_name: str):
    return jsonify(source_representation(services.managed_source(get_session(), current_actor(), source_name)))


@bp.patch("/harvest/sources/<source_name>")
def update_source(source_name: str):
    body = json_body()
    session = get_session()
    source = services.update_source(session, current_actor(), source_name, body, policy=_policy())
    session.commit()
    return jsonify(source_representation(source))


@bp.delete("/harvest/sources/<source_name>")
def remove_source(source_name: str):
    session = get_session()
    outcome = services.remove_source(session, current_actor(), source_name)
    session.commit()
    zh, en = REMOVED[outcome]
    return jsonify({"name": source_name, "outcome": outcome, "message": en, "message_zh": zh})


@bp.get("/harvest/sources/<source_name>/jobs")
def source_jobs(source_name: str):
    query_args({"page", "per_page"})
    page, per_page = paging()
    jobs, total = services.source_jobs(get_session(), current_actor(), source_name, page=page,
                                       per_page=per_page)
    return jsonify(page_of([job_representation(j, source_name) for j in jobs], total, page, per_page))


@bp.post("/harvest/sources/<source_name>/jobs")
def start_job(source_name: str):
    """Run the source now: a task on the harvest queue when one is configured, else a job in a
    thread of this process (a harvest may take minutes; the answer does not wait for it)."""
    session = get_session()
    source = services.managed_source(session, current_actor(), source_name)
    task_id = runs.start_run(current_app._get_current_object(), session, source)
    response = jsonify({"source": source.name, "queued": task_id is not None, "task": task_id})
    response.status_code = 202
    response.headers["Location"] = url_for(".source_jobs", source_name=source.name)
    return response


@bp.post("/harvest/sources/<source_name>/check")
def check_source(source_name: str):
    """A dry run of the source's first records, answered when done: what they would become (published,
    to be completed, failed) and why, grouped with the fixes — before the first real run."""
    session = get_session()
    source = services.managed_source(session, current_actor(), source_name)
    return jsonify(runs.check(current_app._get_current_object(), session, source).as_dict())


@bp.get("/harvest/jobs/<int:job_id>")
def get_job(job_id: int):
    query_args({"page", "per_page"})
    page, per_page = paging()
    session = get_session()
    job, source = services.managed_job(session, current_actor(), job_id)
    errors, total = services.job_error_page(session, job.id, page=page, per_page=per_page)
    return jsonify({**job_representation(job, source.name),
                    "errors": page_of([error_representation(e) for e in errors], total, page, per_page)})


# -- The shapes of the answers, for the OpenAPI document (registry.api.openapi) --------------------

class SourceRecordSchema(Answer):
    name = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(sorted(services.SOURCE_TYPES)))
    url = fields.String(required=True)
    department = fields.String(required=True, metadata=described("Credit code of the department. 所属部门。"))
    schedule = fields.String(required=True, allow_none=True)
    publish = fields.String(required=True, validate=validate.OneOf(PUBLISH_POLICIES))
    defaults = fields.Dict(required=True)
    active = fields.Boolean(required=True)
    max_bytes = fields.Integer(required=True, allow_none=True, metadata=described(
        "The largest response the source may send, in bytes (null: 64 MB). 单次响应大小上限。"))
    has_auth_header = fields.Boolean(required=True, metadata=described(
        "Whether an auth header is set; the header itself is never shown. 是否设置了访问凭据（凭据本身从不显示）。"))
    auth_header_unreadable = fields.Boolean(required=True, metadata=described(
        "Set, but encrypted under another secret key: harvests fail until it is set again. 凭据无法解密，需重新设置。"))
    created = fields.DateTime(required=True)


class SourceListSchema(Answer):
    items = fields.List(fields.Nested(SourceRecordSchema), required=True)
    total = fields.Integer(required=True)


class SourceRemovalSchema(Answer):
    name = fields.String(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(list(REMOVED)), metadata=described(
        "deleted (it never ran) or deactivated (it has jobs or records, all kept). 已删除或已停用。"))
    message = fields.String(required=True)
    message_zh = fields.String(required=True)


class JobOutcomeSchema(Answer):
    """What a job did: its status and counters, and its summary (a job's record and a check's answer alike)."""

    job = fields.Integer(required=True, metadata=described("The job's id. 任务编号。"))
    source = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(JOB_STATUSES))
    error = fields.String(required=True, allow_none=True, metadata=described("Why the job failed as a whole. 任务失败原因。"))
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    withdrawn = fields.Integer(required=True)
    failed = fields.Integer(required=True)
    duplicates = fields.Integer(required=True)
    incomplete = fields.Integer(required=True, metadata=described(
        "Records stored to be completed (待补录): guide fields missing. 待补录的记录数。"))
    warnings = fields.Integer(required=True, metadata=described("Values dropped, records kept. 舍弃的取值数。"))
    summary = fields.Nested(lambda: SummarySchema(), required=True)


class JobRecordSchema(JobOutcomeSchema):
    started = fields.DateTime(required=True)
    finished = fields.DateTime(required=True, allow_none=True)
    heartbeat = fields.DateTime(required=True)


class ReasonSchema(Answer):
    reason = fields.String(required=True)
    field = fields.String(required=True, allow_none=True, metadata=described("Where, with list positions as []."))
    count = fields.Integer(required=True)
    fix = fields.String(required=True)
    fix_zh = fields.String(required=True)


class MissingFieldSchema(Answer):
    field = fields.String(required=True)
    count = fields.Integer(required=True)
    fix = fields.String(required=True)
    fix_zh = fields.String(required=True)


class SummarySchema(Answer):
    errors = fields.List(fields.Nested(ReasonSchema), required=True, metadata=described(
        "Records not taken, by reason. 未采集的记录，按原因分组。"))
    warnings = fields.List(fields.Nested(ReasonSchema), required=True, metadata=described(
        "Values dropped (records kept), by field and reason. 舍弃的取值，按字段与原因分组。"))
    to_complete = fields.List(fields.Nested(MissingFieldSchema), required=True, metadata=described(
        "Guide fields records lack, and how to supply them. 记录缺少的必填字段及补齐方法。"))


class JobPageSchema(Answer):
    items = fields.List(fields.Nested(JobRecordSchema), required=True, metadata=described("Newest first. 按时间倒序。"))
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)


class JobErrorSchema(Answer):
    stage = fields.String(required=True, metadata=described("gather, fetch, map, compare or load. 出错阶段。"))
    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES), metadata=described(
        "error: the record was not taken; warning: one value was dropped, the record kept."))
    field = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True, allow_none=True, metadata=described("The short key the summary groups by."))
    record_id = fields.String(required=True, allow_none=True, metadata=described("The record's original identifier."))
    message = fields.String(required=True)
    snippet = fields.String(required=True, allow_none=True, metadata=described("The record as read, shortened."))


class JobStartSchema(Answer):
    source = fields.String(required=True)
    queued = fields.Boolean(required=True, metadata=described("On the harvest queue (else running in the web process). 是否进入采集队列。"))
    task = fields.String(required=True, allow_none=True, metadata=described("The queue's task id. 队列任务编号。"))


class JobErrorPageSchema(JobPageSchema):
    items = fields.List(fields.Nested(JobErrorSchema), required=True)


class JobCheckSchema(JobOutcomeSchema):
    errors = fields.List(fields.Nested(lambda: JobErrorSchema()), required=True)
    changes = fields.List(fields.Dict(), required=True, metadata=described(
        "What would happen to each record: original_id, action, missing fields. 各记录将如何处理。"))


class JobReportSchema(JobRecordSchema):
    errors = fields.Nested(JobErrorPageSchema, required=True, metadata=described(
        "One page of the records that could not be taken (page, per_page). 未能采集的记录，分页。"))


# A nested schema comes before the one that nests it, so the nesting refers to it by this name (a nested
# schema met first would be registered a second time under a name of apispec's making).
API_SCHEMAS = {
    "HarvestSource": SourceSchema, "HarvestSourceUpdate": SourceUpdateSchema, "HarvestSourceRecord": SourceRecordSchema,
    "HarvestSourceList": SourceListSchema, "HarvestSourceRemoval": SourceRemovalSchema,
    "HarvestJobSummary": SummarySchema, "HarvestJobRecord": JobRecordSchema, "HarvestJobPage": JobPageSchema,
    "HarvestJobError": JobErrorSchema, "HarvestJobErrorPage": JobErrorPageSchema, "HarvestJobReport": JobReportSchema,
    "HarvestJobStart": JobStartSchema, "HarvestJobCheck": JobCheckSchema,
}
API_SCHEMA_DESCRIPTIONS = {
    "HarvestSource": "登记采集源。A harvest source to register.",
    "HarvestSourceUpdate": "修改采集源。Changes to a harvest source.",
    "HarvestSourceRecord": "API 返回的采集源（不含访问凭据）。A harvest source as answered, without its auth header.",
    "HarvestJobRecord": "一次采集任务及其计数。A harvest job and its counters.",
    "HarvestJobReport": "采集任务报告及其错误记录（分页）。A job's report with a page of its error rows.",
    "HarvestJobStart": "已开始或已排队的采集。A harvest started or queued.",
    "HarvestJobCheck": "采集前检查：前若干条记录将如何处理及原因。A check of a source's first records before its first run.",
}
API_OPERATIONS = (
    Op("GET", "/harvest/sources", "listHarvestSources", "Harvest", "List harvest sources",
       "调用者管理的采集源；访问凭据从不显示。The sources the caller manages; auth headers are never shown.",
       query=("department",), answer="HarvestSourceList", errors=(400, 403), signed_in=True),
    Op("POST", "/harvest/sources", "createHarvestSource", "Harvest", "Register a harvest source",
       "地址在登记时即按地址策略检查。The address is checked against the address policy now.",
       body="HarvestSource", status=201, answer="HarvestSourceRecord", errors=(*BODY, 403), signed_in=True,
       location=True),
    Op("GET", "/harvest/sources/{source_name}", "getHarvestSource", "Harvest", "Get a harvest source",
       answer="HarvestSourceRecord", errors=(403, 404), signed_in=True),
    Op("PATCH", "/harvest/sources/{source_name}", "updateHarvestSource", "Harvest", "Change a harvest source",
       "名称、类型与所属部门不可修改；auth_header 为 null 时删除凭据。The name, type and department are fixed; "
       "a null auth_header removes it.",
       body="HarvestSourceUpdate", answer="HarvestSourceRecord", errors=(*BODY, 403, 404), signed_in=True),
    Op("DELETE", "/harvest/sources/{source_name}", "removeHarvestSource", "Harvest", "Remove a harvest source",
       "从未运行的采集源被删除；已有任务或记录的改为停用，已采集的内容均保留。A source that never ran is deleted; "
       "one with jobs or records is deactivated instead, and nothing harvested is lost.",
       answer="HarvestSourceRemoval", errors=(403, 404), signed_in=True),
    Op("GET", "/harvest/sources/{source_name}/jobs", "listHarvestJobs", "Harvest", "A harvest source's jobs",
       "按时间倒序，分页。Newest first, paged.",
       query=("page", "per_page"), answer="HarvestJobPage", errors=(400, 403, 404), signed_in=True),
    Op("POST", "/harvest/sources/{source_name}/jobs", "startHarvestJob", "Harvest", "Run a harvest source now",
       "有采集队列时排队，否则在服务进程中开始；不等待采集结束。Queued when a harvest queue is configured, else started "
       "in the web process; the answer does not wait for the harvest.",
       status=202, answer="HarvestJobStart", errors=(403, 404, 409, 503), signed_in=True, location=True),
    Op("POST", "/harvest/sources/{source_name}/check", "checkHarvestSource", "Harvest",
       "Check a harvest source before its first run",
       "试采前若干条记录（不写入）：将新建、待补录或失败的记录及原因和补齐方法。A dry run of the first records "
       "(nothing written): what they would become — published, to be completed, failed — grouped by reason with "
       "the fixes.", answer="HarvestJobCheck", errors=(403, 404, 409), signed_in=True),
    Op("GET", "/harvest/jobs/{job_id}", "getHarvestJob", "Harvest", "A harvest job's report",
       "计数、任务错误与逐条记录的错误（分页）。Counters, the job's error and its per-record errors, paged.",
       query=("page", "per_page"), answer="HarvestJobReport", errors=(400, 403, 404), signed_in=True),
)
API_PART = ApiPart(API_SCHEMAS, API_SCHEMA_DESCRIPTIONS, API_OPERATIONS)
# Mounted under the API, the harvest blueprint adds its part to the OpenAPI document.
bp.record_once(lambda state: add_api_part(state.app, API_PART))
