"""The workspace of department staff: their resources by state, the registration form, submit and withdraw.

Every step goes through the same services as the API (``registry.resources.services``): the same
schema, the same permission checks, the same audit trail.  A form that does not pass comes back with
each error beside its input, in the page's language, and nothing stored.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import ValidationError
from sqlalchemy import func, select

from vocab import enumerations as v
from registry.api.common import int_arg
from registry.audit.services import events_for
from registry.auth import current_actor
from registry.db import get_session
from registry.departments.models import ClassificationNode, Department
from registry.errors import ServiceError
from registry.i18n import in_language
from registry.permissions import Action, can, departments_readable
from registry.resources import services
from registry.resources.models import Resource
from registry.resources.services import EDITABLE_STATES
from registry.search import index_after_commit
from registry.ui.common import form_errors, label, signed_in_only
from registry.ui.resource_form import ROWS, SELECTS, document_from_form, form_values, input_name, rows_in_form

bp = Blueprint("workspace", __name__, url_prefix="/workspace")
bp.before_request(signed_in_only)
PER_PAGE = 50
WORKING_STATES = [s for s in v.RESOURCE_STATES.keys if s != "withdrawn"]
WHOLE_FORM = {"_schema", "version", "transition", "state"}


@bp.get("")
def index():
    """My department's resources (the centre's: every department's), by state, with counts."""
    session, actor = get_session(), current_actor()
    readable = departments_readable(actor)
    counted = select(Resource.state, func.count(Resource.id)).group_by(Resource.state)
    if readable is not None:
        counted = counted.where(Resource.department_id.in_(readable or {-1}))
    counts = dict(session.execute(counted).all())
    state = request.args.get("state", "")
    states = [state] if state in v.RESOURCE_STATES else WORKING_STATES
    page, _working = services.list_resources(session, actor, states=states,
                                             page=int_arg("page", 1, maximum=10**4), per_page=PER_PAGE)
    return render_template("workspace/index.html", counts=counts, state=state, page=page,
                           states=v.RESOURCE_STATES, label=label, may_create=_may_create(actor))


@bp.route("/new", methods=["GET", "POST"])
def new():
    actor = current_actor()
    if request.method == "GET":
        return _form_page(None, form_values({}))
    doc = document_from_form(request.form)
    if request.form.get("action", "").startswith("add-"):
        return _again(None, doc)
    session = get_session()
    try:
        resource = services.create_resource(session, actor, doc)
        session.flush()
        if request.form.get("action") == "submit":
            services.transition(session, actor, resource.id, "submit", expected_version=resource.version)
        session.commit()
    except (ValidationError, ServiceError) as problem:
        session.rollback()
        return _again(None, doc, problem)
    index_after_commit()
    flash(_saved_message(resource))
    return redirect(url_for(".edit", resource_id=resource.id))


@bp.route("/resources/<int:resource_id>", methods=["GET", "POST"])
def edit(resource_id: int):
    session, actor = get_session(), current_actor()
    resource = services.get_resource(session, resource_id)
    services.visible_revision(resource, actor, working=True)       # 403 for those who may not read it
    if request.method == "GET":
        return _form_page(resource, form_values(resource.doc))
    doc = document_from_form(request.form, resource.doc)
    action = request.form.get("action", "")
    if action.startswith("add-"):
        return _again(resource, doc)
    version = request.form.get("version", "")
    expected = int(version) if version.isdigit() and len(version) < 19 else None
    try:
        if action == "withdraw":          # what the form says is not saved: the resource leaves as it is
            services.transition(session, actor, resource.id, "withdraw", expected_version=expected)
        else:                             # saved (unchanged: nothing happens), then submitted if asked
            changed = services.update_resource(session, actor, resource.id, doc, expected_version=expected)
            if action == "submit":
                services.transition(session, actor, resource.id, "submit", expected_version=changed.version)
        session.commit()
    except (ValidationError, ServiceError) as problem:
        session.rollback()
        return _again(services.get_resource(session, resource_id), doc, problem)
    index_after_commit()
    flash(_saved_message(resource))
    return redirect(url_for(".edit", resource_id=resource.id))


def _again(resource, doc: dict, problem=None):
    """The form once more, as the user sent it, with the errors beside their inputs."""
    extra = rows_in_form(request.form)
    action = request.form.get("action", "")
    values = form_values(doc)
    for part in ROWS:
        wanted = extra[part] + (1 if action == f"add-{part}" else 0)
        while len(values["rows"][part]) < wanted:
            values["rows"][part].append(dict.fromkeys(ROWS[part], ""))
    # The version, the workflow step or the state concern the whole form: said above it, not at an input.
    errors = form_errors(problem, lambda field: "_" if field in WHOLE_FORM else input_name(field)) if problem else {}
    general = errors.pop("_", [])
    status = 200 if problem is None else 422 if isinstance(problem, ValidationError) else problem.status
    return _form_page(resource, values, errors, general), status


def _form_page(resource, values: dict, errors: dict | None = None, general: list | None = None):
    session, actor = get_session(), current_actor()
    history = events_for(session, "resource", resource.id) if resource is not None else []
    returned = next((e for e in reversed(history) if e.action == "return"), None) \
        if resource is not None and resource.state == "returned" else None
    return render_template(
        "workspace/form.html", resource=resource, values=values, errors=errors or {}, general=general or [],
        selects={name: [(t.key, in_language(t.zh, t.en)) for t in enumeration] for name, enumeration in SELECTS.items()},
        themes=[(t.key, in_language(t.zh, t.en)) for t in v.EU_THEMES],
        classifications=_classifications(session, actor, resource), departments=_providers(session, actor),
        missing=set(resource.missing_fields or []) if resource is not None and resource.state == "incomplete" else set(),
        returned=returned, history=history,
        editable=resource is None or resource.state in EDITABLE_STATES,
        may_withdraw=resource is not None and resource.state != "withdrawn"
        and can(actor, Action.RESOURCE_WITHDRAW, resource.department_id),
        rows=ROWS, label=label)


def _classifications(session, actor, resource) -> list[tuple[str, str]]:
    """The classification nodes a resource of this department may take (branch 3: its own only)."""
    department = resource.department if resource is not None else getattr(actor, "department", None)
    nodes = session.scalars(select(ClassificationNode).where(ClassificationNode.parent_code.is_not(None))
                            .order_by(ClassificationNode.code))
    return [(n.code, f"{n.code} {in_language(n.name, n.name_en or n.name)}") for n in nodes
            if not n.code.startswith("3") or department is None or n.code.startswith(department.branch_code)]


def _providers(session, actor) -> list[tuple[str, str]]:
    """For the centre's staff, who belong to no department: the departments to register for."""
    if getattr(actor, "department", None) is not None:
        return []
    rows = session.scalars(select(Department).where(Department.active.is_(True)).order_by(Department.branch_code))
    return [(d.credit_code, in_language(d.name, d.name_en or d.name)) for d in rows]


def _may_create(actor) -> bool:
    department = getattr(actor, "department", None)
    return can(actor, Action.RESOURCE_CREATE, department.id if department is not None else None)


def _saved_message(resource) -> str:
    return gettext("Saved. %(code)s is now: %(state)s.", code=resource.code, state=label("state", resource.state))
