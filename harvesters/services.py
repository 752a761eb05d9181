"""Harvest sources and jobs as the command line (and later the API) use them.

Source types are found by name in :data:`SOURCE_TYPES`; a new type is one module with a
:class:`~harvesters.base.Harvester` subclass and one entry there (``module:Class``, imported when a
job of that type runs, so a type's parsing libraries cost nothing to the others).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from harvesters.base import Harvester, JobReport
import importlib

from harvesters.models import PUBLISH_POLICIES, HarvestError, HarvestJob, HarvestSource
from harvesters.http import check_address, FetchError
from registry.db import Database
from registry.departments.models import Department
from registry.errors import Invalid, NotFound

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


def add_source(session: Session, *, name: str, type: str, url: str, department: str, schedule: str | None = None,
               publish_policy: str = "direct", defaults: dict | None = None, auth_header: str | None = None,
               check_url: bool = True) -> HarvestSource:
    """Register a harvest source of ``department`` (its credit code); the address is checked now."""
    if type not in SOURCE_TYPES:
        raise Invalid("未知的采集源类型。", f"Unknown source type; one of {', '.join(sorted(SOURCE_TYPES))}.", "type")
    if publish_policy not in PUBLISH_POLICIES:
        raise Invalid("未知的发布策略。", "The publish policy is direct or review.", "publish_policy")
    owner = session.scalar(select(Department).where(Department.credit_code == department))
    if owner is None:
        raise Invalid("提供方部门不存在。", "No department has this credit code.", "department")
    if session.scalar(select(HarvestSource.id).where(HarvestSource.name == name)) is not None:
        raise Invalid("采集源名称已被使用。", f"A source named {name} exists.", "name")
    if check_url:
        try:
            check_address(url)
        except FetchError as error:
            raise Invalid("采集源地址不可用。", str(error), "url") from None
    source = HarvestSource(name=name, type=type, url=url, department_id=owner.id, schedule=schedule,
                           publish_policy=publish_policy, defaults=defaults or None, auth_header=auth_header,
                           active=True)
    session.add(source)
    session.flush()
    return source


def get_source(session: Session, name: str) -> HarvestSource:
    source = session.scalar(select(HarvestSource).where(HarvestSource.name == name))
    if source is None:
        raise NotFound("未找到该采集源。", f"No harvest source named {name}.")
    return source


def list_sources(session: Session) -> list[HarvestSource]:
    return list(session.scalars(select(HarvestSource).order_by(HarvestSource.name)))


def run_source(database: Database, name: str, *, dry_run: bool = False, **options) -> JobReport:
    """Run one job of the named source (raises ``JobAlreadyRunning`` if one runs)."""
    with database.reader() as session:
        source = get_source(session, name)
        session.expunge(source)
    return harvester_class(source.type)(database, source, **options).run(dry_run=dry_run)


def recent_jobs(session: Session, name: str, limit: int = 20) -> list[HarvestJob]:
    source = get_source(session, name)
    return list(session.scalars(select(HarvestJob).where(HarvestJob.source_id == source.id)
                                .order_by(HarvestJob.id.desc()).limit(limit)))


def job_errors(session: Session, job_id: int) -> list[HarvestError]:
    return list(session.scalars(select(HarvestError).where(HarvestError.job_id == job_id).order_by(HarvestError.id)))


def source_representation(source: HarvestSource) -> dict:
    """A source as shown to administrators: everything but the auth header (only whether one is set)."""
    return {"name": source.name, "type": source.type, "url": source.url,
            "department": source.department.credit_code, "schedule": source.schedule,
            "publish": source.publish_policy, "defaults": source.defaults or {}, "active": source.active,
            "has_auth_header": bool(source.auth_header), "created": source.created_at.isoformat()}


def job_representation(job: HarvestJob) -> dict:
    return {"job": job.id, "status": job.status, "started": job.started_at.isoformat(),
            "finished": job.finished_at.isoformat() if job.finished_at else None,
            "heartbeat": job.heartbeat_at.isoformat(), "created": job.created, "updated": job.updated,
            "unchanged": job.unchanged, "withdrawn": job.withdrawn, "failed": job.failed,
            "duplicates": job.duplicates, "error": job.error}
