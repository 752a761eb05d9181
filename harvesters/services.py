"""Harvest sources and jobs, as the command line and the API use them.

Source types are found by name in :data:`SOURCE_TYPES`; a new type is one module with a
:class:`~harvesters.base.Harvester` subclass and one entry there (``module:Class``, imported when a
job of that type runs, so a type's parsing libraries cost nothing to the others).

The functions taking an ``actor`` decide permissions (``registry.permissions``): the command line
passes ``check_permission=False`` and acts as the operator.  A source's auth header goes in and is
never given out: representations only say whether one is set.
"""
from __future__ import annotations

import importlib
import math
import re

from marshmallow import ValidationError, fields, validate
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from harvesters.base import STALE_AFTER, Harvester, JobReport, owner_gone
from harvesters.guidance import guidance
from harvesters.http import AddressPolicy, FetchError, check_address
from harvesters.models import PUBLISH_POLICIES, HarvestError, HarvestJob, HarvestRecord, HarvestSource
from registry.db import Database, utcnow
from registry.departments.models import Department
from registry.departments.schemas import CreditCode
from vocab.codes import is_valid_credit_code
from registry.errors import BadRequest, Invalid, NotFound
from registry.permissions import Action, departments_for, require, require_anywhere
from registry.resources.schemas import ResourceSchema
from registry.schema_base import BaseSchema, Text, bilingual, limit, matches, one_of
from registry.secrets import UnreadableSecret

SOURCE_TYPES: dict[str, str] = {
    "ckan": "harvesters.ckan:CkanHarvester",
    "dcat": "harvesters.dcat:DcatHarvester",
    "datajson": "harvesters.datajson:DataJsonHarvester",
    "spreadsheet": "harvesters.spreadsheet:SpreadsheetHarvester",
    "csw": "harvesters.csw:CswHarvester",
    "oaipmh": "harvesters.oaipmh:OaiPmhHarvester",
}


def harvester_class(type: str) -> type[Harvester]:
    """The :class:`Harvester` subclass of a source type."""
    module, _colon, name = SOURCE_TYPES[type].partition(":")
    return getattr(importlib.import_module(module), name)


NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]*"
NAME_PROBLEM = ("采集源名称只能包含字母、数字、点、下划线和连字符，并以字母或数字开头。",
                "A source name has letters, digits, dots, underscores and hyphens, and starts with a letter or digit.")
# Metadata a source may fill in for its records: every field but the provider (the source's department).
DEFAULTABLE = sorted(set(ResourceSchema().fields) - {"provider"})


class MetadataDefaults(fields.Dict):
    """Metadata fields with the values a source fills into every record, each checked by its own field."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        fields_, errors, loaded = ResourceSchema().fields, {}, {}
        for key, item in value.items():
            if key not in DEFAULTABLE:
                errors[key] = [bilingual("不是可设默认值的元数据字段。",
                                         f"Not a metadata field a source can default; one of {', '.join(DEFAULTABLE)}.")]
                continue
            try:
                loaded[key] = fields_[key].deserialize(item, key, value)
            except ValidationError as error:
                errors[key] = error.messages
        if errors:
            raise ValidationError(errors)
        return loaded


def _schedule(value: str | None) -> None:
    from harvesters.scheduling import parse_interval

    if value is not None:
        try:
            parse_interval(value)
        except ValueError as error:
            raise ValidationError(bilingual("采集周期应为 30m、6h、1d 这样的间隔，且不少于 5 分钟。", str(error))) from None


URL_HELP = {"description": "Address of the catalog (its first page). 采集地址。"}
# The size cap an administrator may give a source: from 1 MB to 16 GB a response (None: the fetcher's 64 MB).
MAX_BYTES_RANGE = (1_000_000, 16 * 1024 ** 3)


def _check_max_bytes(value) -> None:
    if value is not None and not (MAX_BYTES_RANGE[0] <= value <= MAX_BYTES_RANGE[1]):
        raise Invalid("单次响应大小上限应在 1 MB 至 16 GB 之间。",
                      f"max_bytes must be between {MAX_BYTES_RANGE[0]} and {MAX_BYTES_RANGE[1]}.", "max_bytes")


class SourceFields(BaseSchema):
    """What a source's administrator may set (the name, type and department are fixed once registered)."""

    url = Text(validate=limit(2000), metadata=URL_HELP)
    schedule = Text(allow_none=True, validate=[limit(100), _schedule], metadata={
        "description": "How often the worker runs it: 30m, 6h, 1d … (null: only when run by hand). 采集周期。"})
    publish = fields.String(validate=one_of(PUBLISH_POLICIES), metadata={
        "description": "direct: records are published as harvested; review: they wait for review. 发布策略。"})
    defaults = MetadataDefaults(keys=fields.String(), allow_none=True, metadata={
        "description": "Metadata the source lacks, filled into every record (e.g. share_type). 默认元数据。"})
    auth_header = Text(allow_none=True, validate=limit(4000), load_only=True, metadata={
        "description": "Sent with every request to the source ('Name: value', or an Authorization value); "
                       "stored encrypted and never shown again (null removes it). 访问凭据，仅写入，不再显示。"})
    max_bytes = fields.Integer(allow_none=True, strict=True, validate=validate.Range(*MAX_BYTES_RANGE), metadata={
        "description": "The largest response the source may send, in bytes (null: 64 MB); a catalog published "
                       "as one big file needs more. 单次响应大小上限（字节）。"})


class SourceSchema(SourceFields):
    """A harvest source to register."""

    name = Text(required=True, validate=[limit(100), matches(rf"^{NAME_PATTERN}$", *NAME_PROBLEM)], metadata={
        "description": "Unique name, used in the API's paths. 采集源名称。"})
    type = fields.String(required=True, validate=one_of(sorted(SOURCE_TYPES)))
    department = CreditCode(required=True, metadata={"description": "Credit code of the department whose "
                                                                    "records these are. 所属部门的统一社会信用代码。"})
    url = Text(required=True, validate=limit(2000), metadata=URL_HELP)


class SourceUpdateSchema(SourceFields):
    """Changes to a harvest source; ``active: false`` pauses it (its schedule is no longer run)."""

    active = fields.Boolean(metadata={"description": "false pauses the source. 是否启用。"})


def add_source(session: Session, *, name: str, type: str, url: str, department: str, schedule: str | None = None,
               publish_policy: str = "direct", defaults: dict | None = None, auth_header: str | None = None,
               check_url: bool = True, policy: AddressPolicy | None = None,
               max_bytes: int | None = None) -> HarvestSource:
    """Register a harvest source of ``department`` (its credit code); the address is checked now."""
    if not _is_source_name(name):
        raise Invalid(*NAME_PROBLEM, "name")
    if type not in SOURCE_TYPES:
        raise Invalid("未知的采集源类型。", f"Unknown source type; one of {', '.join(sorted(SOURCE_TYPES))}.", "type")
    if publish_policy not in PUBLISH_POLICIES:
        raise Invalid("未知的发布策略。", "The publish policy is direct or review.", "publish_policy")
    owner = session.scalar(select(Department).where(Department.credit_code == department))
    if owner is None:
        raise Invalid("提供方部门不存在。", "No department has this credit code.", "department")
    if session.scalar(select(HarvestSource.id).where(HarvestSource.name == name)) is not None:
        raise Invalid("采集源名称已被使用。", f"A source named {name} exists.", "name")
    _check_max_bytes(max_bytes)
    if check_url:
        _check_url(url, policy)
    source = HarvestSource(name=name, type=type, url=url, department_id=owner.id, schedule=schedule,
                           publish_policy=publish_policy, defaults=defaults or None, auth_header=auth_header,
                           max_bytes=max_bytes, active=True)
    session.add(source)
    session.flush()
    return source


def _check_url(url: str, policy: AddressPolicy | None) -> None:
    try:
        check_address(url, policy)
    except FetchError as error:
        raise Invalid("采集源地址不可用。", str(error), "url") from None


def _is_source_name(name) -> bool:
    return isinstance(name, str) and len(name) <= 100 and re.fullmatch(NAME_PATTERN, name) is not None


def get_source(session: Session, name: str) -> HarvestSource:
    source = session.scalar(select(HarvestSource).where(HarvestSource.name == name)) if _is_source_name(name) else None
    if source is None:
        raise NotFound("未找到该采集源。", f"No harvest source named {name}.")
    return source


def list_sources(session: Session, *, departments: set[int] | None = None,
                 department: str | None = None) -> list[HarvestSource]:
    """Every source, by name; only those of ``departments`` (ids) and ``department`` (a credit code) if given."""
    query = select(HarvestSource).order_by(HarvestSource.name)
    if departments is not None:
        query = query.where(HarvestSource.department_id.in_(departments))
    if department is not None:
        query = query.join(Department, Department.id == HarvestSource.department_id).where(
            Department.credit_code == department)
    return list(session.scalars(query))


# -- what an administrator does, permissions checked -----------------------------------------------

MANAGE = Action.HARVEST_SOURCE_MANAGE


def create_source(session: Session, actor, data: dict, *, check_permission: bool = True,
                  policy: AddressPolicy | None = None) -> HarvestSource:
    """Register a source from an API body (:class:`SourceSchema`) for a department the actor manages."""
    if check_permission:
        require_anywhere(actor, MANAGE)   # those who manage no source learn nothing more
    values = SourceSchema().load(data)
    owner = session.scalar(select(Department).where(Department.credit_code == values["department"]))
    if owner is None:
        raise Invalid("提供方部门不存在。", "No department has this credit code.", "department")
    if check_permission:
        require(actor, MANAGE, owner.id)
    return add_source(session, name=values["name"], type=values["type"], url=values["url"],
                      department=values["department"], schedule=values.get("schedule"),
                      publish_policy=values.get("publish", "direct"), defaults=values.get("defaults"),
                      auth_header=values.get("auth_header") or None, policy=policy,
                      max_bytes=values.get("max_bytes"))


def managed_source(session: Session, actor, name: str, *, check_permission: bool = True) -> HarvestSource:
    """The named source, if ``actor`` manages it (403 before 404 for those who manage no source)."""
    if check_permission:
        require_anywhere(actor, MANAGE)
    source = get_source(session, name)
    if check_permission:
        require(actor, MANAGE, source.department_id)
    return source


def update_source(session: Session, actor, name: str, data: dict, *, check_permission: bool = True,
                  policy: AddressPolicy | None = None) -> HarvestSource:
    """Change a source (:class:`SourceUpdateSchema`); a new address is checked like a new source's."""
    source = managed_source(session, actor, name, check_permission=check_permission)
    values = SourceUpdateSchema().load(data)
    if "url" in values:
        _check_url(values["url"], policy)
        source.url = values["url"]
    if "schedule" in values:
        source.schedule = values["schedule"] or None
    if "publish" in values:
        source.publish_policy = values["publish"]
    if "defaults" in values:
        source.defaults = values["defaults"] or None
    if "auth_header" in values:
        source.auth_header = values["auth_header"] or None
    if "max_bytes" in values:
        source.max_bytes = values["max_bytes"]
    if "active" in values:
        source.active = values["active"]
    session.flush()
    return source


def remove_source(session: Session, actor, name: str, *, check_permission: bool = True) -> str:
    """Delete a source that never ran; deactivate one with jobs or records, so nothing harvested is lost.

    Returns ``"deleted"`` or ``"deactivated"``.
    """
    source = managed_source(session, actor, name, check_permission=check_permission)
    harvested = session.scalar(select(
        exists().where(HarvestJob.source_id == source.id) | exists().where(HarvestRecord.source_id == source.id)))
    if harvested:
        source.active = False
        session.flush()
        return "deactivated"
    session.delete(source)
    session.flush()
    return "deleted"


def visible_sources(session: Session, actor, department: str | None = None) -> list[HarvestSource]:
    """The sources ``actor`` manages (all of them for the centre and system administrators)."""
    require_anywhere(actor, MANAGE)
    if department is not None and not is_valid_credit_code(department):
        raise BadRequest("department 应为统一社会信用代码。", "department must be a credit code.", "department")
    return list_sources(session, departments=departments_for(actor, MANAGE), department=department)


def source_jobs(session: Session, actor, name: str, *, page: int, per_page: int) -> tuple[list[HarvestJob], int]:
    """One page of a managed source's jobs, newest first, and how many there are."""
    source = managed_source(session, actor, name)
    where = HarvestJob.source_id == source.id
    total = session.scalar(select(func.count()).select_from(HarvestJob).where(where))
    jobs = session.scalars(select(HarvestJob).where(where).order_by(HarvestJob.id.desc())
                           .offset((page - 1) * per_page).limit(per_page))
    return list(jobs), total


def managed_job(session: Session, actor, job_id: int) -> tuple[HarvestJob, HarvestSource]:
    """A job of a source ``actor`` manages, with its source."""
    require_anywhere(actor, MANAGE)
    job = session.get(HarvestJob, job_id)
    if job is None:
        raise NotFound("未找到该采集任务。", f"No harvest job {job_id}.")
    source = session.get(HarvestSource, job.source_id)
    require(actor, MANAGE, source.department_id)
    return job, source


def job_error_page(session: Session, job_id: int, *, page: int, per_page: int) -> tuple[list[HarvestError], int]:
    where = HarvestError.job_id == job_id
    total = session.scalar(select(func.count()).select_from(HarvestError).where(where))
    rows = session.scalars(select(HarvestError).where(where).order_by(HarvestError.id)
                           .offset((page - 1) * per_page).limit(per_page))
    return list(rows), total


def page_of(items: list[dict], total: int, page: int, per_page: int) -> dict:
    return {"items": items, "total": total, "page": page, "per_page": per_page,
            "pages": math.ceil(total / per_page) if total else 0}


CHECK_RECORDS = 200     # records a check (`harvest add --check`, POST …/check) maps before the first run


def run_source(database: Database, name: str, *, dry_run: bool = False, progress=None, limit: int | None = None,
               **options) -> JobReport:
    """Run one job of the named source (raises ``JobAlreadyRunning`` if one runs); ``progress`` is
    called about once a second with the counters so far; ``limit``: a dry run of the first records
    only (a check); ``options`` go to the source type."""
    with database.reader() as session:
        source = get_source(session, name)
        session.expunge(source)
    harvester = harvester_class(source.type)(database, source, **options)
    harvester.progress = progress
    return harvester.run(dry_run=dry_run, limit=limit)


def running_job(session: Session, source_id: int) -> HarvestJob | None:
    """The source's job that is running now (its heartbeat fresh, its process not known to be gone), if any."""
    return next((job for job in session.scalars(select(HarvestJob).where(
        HarvestJob.source_id == source_id, HarvestJob.status == "running",
        HarvestJob.heartbeat_at > utcnow() - STALE_AFTER)) if not owner_gone(job)), None)


def recent_jobs(session: Session, name: str, limit: int = 20) -> list[HarvestJob]:
    source = get_source(session, name)
    return list(session.scalars(select(HarvestJob).where(HarvestJob.source_id == source.id)
                                .order_by(HarvestJob.id.desc()).limit(limit)))


def job_errors(session: Session, job_id: int) -> list[HarvestError]:
    return list(session.scalars(select(HarvestError).where(HarvestError.job_id == job_id).order_by(HarvestError.id)))


def error_representation(error: HarvestError) -> dict:
    return {"stage": error.stage, "severity": error.severity, "field": error.field, "reason": error.reason,
            "record_id": error.record_id, "message": error.message, "snippet": error.snippet}


def source_representation(source: HarvestSource) -> dict:
    """A source as shown to administrators: everything but the auth header (only whether one is set)."""
    return {"name": source.name, "type": source.type, "url": source.url,
            "department": source.department.credit_code, "schedule": source.schedule,
            "publish": source.publish_policy, "defaults": source.defaults or {}, "active": source.active,
            "max_bytes": source.max_bytes,
            "has_auth_header": bool(source.auth_header),
            # Set but not decryptable with the current secret key: harvests fail until it is set again.
            "auth_header_unreadable": isinstance(source.auth_header, UnreadableSecret),
            "created": source.created_at.isoformat()}


def job_representation(job: HarvestJob, source: str | None = None) -> dict:
    """A job's report without its error rows (``source``: the source's name, added when given)."""
    named = {"source": source} if source is not None else {}
    return {"job": job.id, **named, "status": job.status, "started": job.started_at.isoformat(),
            "finished": job.finished_at.isoformat() if job.finished_at else None,
            "heartbeat": job.heartbeat_at.isoformat(), "created": job.created, "updated": job.updated,
            "unchanged": job.unchanged, "withdrawn": job.withdrawn, "failed": job.failed,
            "duplicates": job.duplicates, "incomplete": job.incomplete, "warnings": job.warnings, "error": job.error,
            "summary": guidance(job.summary, source or "NAME")}
