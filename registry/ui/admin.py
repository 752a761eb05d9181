"""Administration as pages: the department tree (add a department, rename, move or deactivate it) and the
users (add one with a role, deactivate or reactivate, set a new password).  The same services as the
API check the permissions and record every change in the audit trail."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import ValidationError
from sqlalchemy import select

from vocab import enumerations as v
from registry.accounts import services as accounts
from registry.auth import current_actor
from registry.db import get_session
from registry.departments import services as departments
from registry.departments.models import Department
from registry.errors import ServiceError
from registry.permissions import Action, require
from registry.ui.common import form_errors, label, signed_in_only

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(signed_in_only)



def _filled(form, names) -> dict:
    return {name: form.get(name, "").strip() for name in names if form.get(name, "").strip()}


@bp.route("/departments", methods=["GET", "POST"])
def department_tree():
    session, actor = get_session(), current_actor()
    require(actor, Action.DEPARTMENT_MANAGE)
    errors, status = {}, 200
    if request.method == "POST":
        data = _filled(request.form, ("credit_code", "name", "name_en", "level", "region_code", "parent"))
        try:
            created = departments.create_department(session, actor, data)
            session.commit()
        except (ValidationError, ServiceError) as problem:
            session.rollback()
            errors, status = form_errors(problem), 422
        else:
            flash(gettext("%(name)s added.", name=created.name))
            return redirect(url_for(".department_tree"))
    rows = list(session.scalars(select(Department).order_by(Department.branch_code)))
    children: dict[int | None, list] = {}
    for d in rows:
        children.setdefault(d.parent_id, []).append(d)
    return render_template("admin/departments.html", roots=children.get(None, []), children=children, errors=errors,
                           values=request.form, label=label,
                           level_options=[(t.key, label("level", t.key)) for t in v.ADMINISTRATIVE_LEVELS],
                           parent_options=[(d.credit_code, d.name) for d in rows if d.active]), status


@bp.post("/departments/<code>")
def department(code: str):
    session, actor = get_session(), current_actor()
    found = departments.get_department(session, code)
    data = {"name": request.form.get("name", "").strip(), "name_en": request.form.get("name_en", "").strip() or None,
            "active": bool(request.form.get("active")), "version": found.version}
    if data["name_en"] is None:
        data.pop("name_en")
    if "parent" in request.form:                        # moving: the branch codes below follow
        data["parent"] = request.form["parent"].strip() or None
    try:
        departments.update_department(session, actor, code, data)
        session.commit()
        flash(gettext("%(name)s saved.", name=data["name"]))
    except (ValidationError, ServiceError) as problem:
        session.rollback()
        flash("; ".join(m for messages in form_errors(problem).values() for m in messages))
    return redirect(url_for(".department_tree") + f"#d-{code}")


@bp.route("/users", methods=["GET", "POST"])
def users():
    session, actor = get_session(), current_actor()
    people = accounts.list_users(session, actor)           # 403 for those who manage no user
    errors, status = {}, 200
    if request.method == "POST":
        data = _filled(request.form, ("username", "password", "role", "department", "display_name", "email"))
        try:
            created = accounts.create_user(session, actor, data)
            session.commit()
        except (ValidationError, ServiceError) as problem:
            session.rollback()
            errors, status = form_errors(problem), 422
        else:
            flash(gettext("User %(name)s added.", name=created.username))
            return redirect(url_for(".users"))
    units = list(session.scalars(select(Department).where(Department.active.is_(True)).order_by(Department.branch_code)))
    return render_template("admin/users.html", users=people, errors=errors, values=request.form, label=label,
                           role_options=[(t.key, label("role", t.key)) for t in v.ROLES],
                           department_options=[(d.credit_code, d.name) for d in units]), status


@bp.post("/users/<username>")
def user(username: str):
    session, actor = get_session(), current_actor()
    data = {"active": bool(request.form.get("active"))}
    if request.form.get("password"):
        data["password"] = request.form["password"]
    try:
        accounts.update_user(session, actor, username, data)
        session.commit()
        flash(gettext("User %(name)s saved.", name=username))
    except (ValidationError, ServiceError) as problem:
        session.rollback()
        flash("; ".join(m for messages in form_errors(problem).values() for m in messages))
    return redirect(url_for(".users") + f"#u-{username}")
