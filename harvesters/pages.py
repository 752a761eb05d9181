"""Harvest sources as pages, for the administrators who set them up: add one (and check it), edit it,
run it now or dry-run its first records, and read its jobs — counters, the reasons grouped with their
fixes, and the record rows.  The same services as the API do the work and the permission checks.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import ValidationError
from sqlalchemy import func, select

from harvesters import runs, services
from harvesters.guidance import guidance
from harvesters.http import AddressPolicy
from harvesters.models import PUBLISH_POLICIES, HarvestJob
from registry.api.common import int_arg
from registry.auth import current_actor
from registry.db import get_session
from registry.departments.models import Department
from registry.errors import ServiceError
from registry.i18n import in_language
from registry.permissions import departments_for
from registry.ui.common import form_errors, signed_in_only

bp = Blueprint("harvest_pages", __name__, url_prefix="/admin/harvest")
bp.before_request(signed_in_only)
JOBS_SHOWN = 20
ROWS_PER_PAGE = 100
FORM_FIELDS = ("name", "type", "department", "url", "schedule", "publish", "defaults", "auth_header", "max_bytes")


def init_app(app) -> None:
    app.register_blueprint(bp)


@bp.app_template_global()
def job_status(status: str) -> str:
    """A job's status in the page's language."""
    return {"running": gettext("running"), "succeeded": gettext("succeeded"), "failed": gettext("failed"),
            "dry_run": gettext("dry run")}.get(status, status)


@bp.get("")
def sources():
    session = get_session()
    found = services.visible_sources(session, current_actor())
    newest = select(func.max(HarvestJob.id)).where(HarvestJob.source_id.in_([s.id for s in found])) \
        .group_by(HarvestJob.source_id)
    last = {job.source_id: job for job in session.scalars(select(HarvestJob).where(HarvestJob.id.in_(newest)))}
    return render_template("harvest/sources.html", sources=found, last=last)


@bp.route("/new", methods=["GET", "POST"])
def new():
    session, actor = get_session(), current_actor()
    services.visible_sources(session, actor)           # 403 for those who manage no source
    values, errors = dict(request.form), {}
    if request.method == "POST":
        try:
            source = services.create_source(session, actor, _source_data(request.form, new=True), policy=_policy())
            session.commit()
        except (ValidationError, ServiceError) as problem:
            session.rollback()
            errors = form_errors(problem)
        else:
            flash(gettext("Source %(name)s added.", name=source.name))
            if request.form.get("action") == "check":
                return _checked(source.name)
            return redirect(url_for(".source", name=source.name))
    return render_template("harvest/new.html", values=values, errors=errors, types=sorted(services.SOURCE_TYPES),
                           departments=_departments(session, actor), policies=PUBLISH_POLICIES), 422 if errors else 200


@bp.route("/<name>", methods=["GET", "POST"])
def source(name: str):
    session, actor = get_session(), current_actor()
    found = services.managed_source(session, actor, name)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            services.update_source(session, actor, name, _source_data(request.form, new=False), policy=_policy())
            session.commit()
        except (ValidationError, ServiceError) as problem:
            session.rollback()
            errors, status = form_errors(problem), 422
            found = services.managed_source(session, actor, name)
        else:
            flash(gettext("Source %(name)s saved.", name=name))
            return redirect(url_for(".source", name=name))
    return _source_page(found, errors=errors), status


@bp.post("/<name>/run")
def run(name: str):
    session = get_session()
    found = services.managed_source(session, current_actor(), name)
    try:
        task = runs.start_run(current_app._get_current_object(), session, found)
        flash(gettext("A job of %(name)s was queued.", name=name) if task else
              gettext("A job of %(name)s started; reload this page to follow it.", name=name))
    except ServiceError as problem:
        flash(in_language(problem.zh, problem.en))
    return redirect(url_for(".source", name=name))


@bp.post("/<name>/check")
def check(name: str):
    services.managed_source(get_session(), current_actor(), name)
    return _checked(name)


@bp.get("/jobs/<int:job_id>")
def job(job_id: int):
    session = get_session()
    found, owner = services.managed_job(session, current_actor(), job_id)
    page = int_arg("page", 1, maximum=10**6)
    rows, total = services.job_error_page(session, found.id, page=page, per_page=ROWS_PER_PAGE)
    return render_template("harvest/job.html", job=found, source=owner, rows=rows, total=total, page=page,
                           pages=(total + ROWS_PER_PAGE - 1) // ROWS_PER_PAGE,
                           summary=guidance(found.summary, owner.name), text=in_language)


def _checked(name: str):
    """The check's report on the source's page (a check writes only its job row)."""
    session = get_session()
    found = services.managed_source(session, current_actor(), name)
    try:
        report = runs.check(current_app._get_current_object(), session, found).as_dict()
    except ServiceError as problem:
        flash(in_language(problem.zh, problem.en))
        return redirect(url_for(".source", name=name))
    session = get_session()
    return _source_page(services.managed_source(session, current_actor(), name), report=report)


def _source_page(found, *, errors=None, report=None):
    session = get_session()
    jobs = list(session.scalars(select(HarvestJob).where(HarvestJob.source_id == found.id)
                                .order_by(HarvestJob.id.desc()).limit(JOBS_SHOWN)))
    running = services.running_job(session, found.id)
    return render_template("harvest/source.html", source=found, jobs=jobs, running=running, errors=errors or {},
                           report=report, policies=PUBLISH_POLICIES, text=in_language,
                           defaults_text="\n".join(f"{k}={v}" for k, v in (found.defaults or {}).items()))


def _source_data(form, *, new: bool) -> dict:
    """The API body a form says: empty inputs are absent, defaults are lines of FIELD=VALUE."""
    data = {}
    for key in FORM_FIELDS if new else FORM_FIELDS[3:]:
        value = form.get(key, "").strip()
        if key == "defaults":
            if value or not new:
                data[key] = _defaults(value)
        elif key == "max_bytes":
            if value:
                data[key] = int(value) if value.isdigit() and len(value) < 19 else value
            elif not new:
                data[key] = None
        elif key == "auth_header":
            if value:
                data[key] = value                 # blank keeps the stored one; "remove" clears it
            elif form.get("remove_auth_header"):
                data[key] = None
        elif key == "schedule" and not new:
            data[key] = value or None
        elif value:
            data[key] = value
    if not new:
        data["active"] = bool(form.get("active"))
    return data


def _defaults(text: str) -> dict:
    pairs = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if key.strip():
            pairs[key.strip()] = value.strip() if sep else ""
    return pairs



def _departments(session, actor) -> list[tuple[str, str]]:
    managed = departments_for(actor, services.MANAGE)
    query = select(Department).where(Department.active.is_(True)).order_by(Department.branch_code)
    if managed is not None:
        query = query.where(Department.id.in_(managed or {-1}))
    return [(d.credit_code, in_language(d.name, d.name_en or d.name)) for d in session.scalars(query)]


def _policy() -> AddressPolicy:
    return AddressPolicy.from_settings(current_app.config)
