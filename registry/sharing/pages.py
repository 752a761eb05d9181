"""The pages of sharing: the request form (from a resource's page), each department's inbox and outbox,
one request with its answer or revocation and its history, the centre's overview (overdue first), and
each user's notifications.  Everything goes through :mod:`registry.sharing.services`, as the API does;
a refusal of the service comes back beside the input it concerns.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import ValidationError

from registry.api.common import int_arg
from registry.auth import current_actor
from registry.db import get_session, utcnow
from registry.errors import Forbidden, ServiceError
from registry.permissions import Action, can
from registry.resources.models import Resource
from registry.sharing import notifications as notes, services
from registry.sharing.workdays import local_date
from registry.ui.common import form_errors, label, signed_in_only

bp = Blueprint("sharing", __name__)
PER_PAGE = 50


def status_label(status: str) -> str:
    """A request's status in the page's language."""
    return {"pending": gettext("Waiting for an answer"), "overdue": gettext("Overdue"),
            "granted": gettext("Granted"), "expired": gettext("Grant expired"),
            "refused": gettext("Refused"), "revoked": gettext("Revoked")}.get(status, status)


@bp.before_request
def _signed_in():
    return signed_in_only()


def header_counts() -> dict:
    """For the header of every page: the signed-in user's unread notifications."""
    actor = current_actor()
    if actor is None:
        return {"unread_notifications": 0}
    return {"unread_notifications": notes.unread_count(get_session(), actor.id)}


def _render(template: str, status: int = 200, **context):
    today = local_date(utcnow())
    return render_template(template, status_label=status_label, label=label,
                           status_of=lambda r: services.status_of(r, today), **context), status


@bp.get("/sharing")
def home():
    actor = current_actor()
    if actor.department_id is None:
        if not can(actor, Action.SHARE_READ):
            raise Forbidden("无权查看共享申请。", "Your role sees no sharing requests.")
        return redirect(url_for(".overview"))
    return redirect(url_for(".box", box="inbox"))


def _listing(box: str):
    status = request.args.get("status") or None
    if status not in (None, *services.STATUSES):
        status = None
    page = int_arg("page", 1, maximum=10**4)
    items, total = services.list_requests(get_session(), current_actor(), box=box, status=status, page=page,
                                          per_page=PER_PAGE)
    return items, total, status, page


@bp.get("/sharing/<any(inbox, outbox):box>")
def box(box: str):
    if current_actor().department_id is None:       # the centre has no boxes: its overview has every request
        return overview()
    items, total, status, page = _listing(box)
    return _render("sharing/box.html", box=box, items=items, total=total, chosen=status, page=page,
                   more=page * PER_PAGE < total, statuses=services.STATUSES)


@bp.get("/sharing/overview")
def overview():
    actor = current_actor()
    if actor.department_id is not None or not can(actor, Action.SHARE_READ):
        raise Forbidden("总览属于目录管理中心。", "The overview is the catalog centre's.")
    items, total, status, page = _listing("all")
    return _render("sharing/box.html", box="all", items=items, total=total, chosen=status, page=page,
                   more=page * PER_PAGE < total, statuses=services.STATUSES)


@bp.route("/sharing/new", methods=["GET", "POST"])
def new():
    session, actor = get_session(), current_actor()
    resource_id = int_arg("resource", 0, minimum=0) if request.method == "GET" else \
        (int(request.form.get("resource", "0")) if request.form.get("resource", "").isdigit()
         and len(request.form.get("resource", "")) < 19 else 0)
    resource = session.get(Resource, resource_id) if resource_id else None
    if resource is None or resource.public_doc is None or not resource.is_public:
        abort(404)
    if not services.may_request(actor, resource):
        raise Forbidden("只有其他部门的工作人员可以申请此资源。",
                        "Only the staff of another department can request this resource.")
    doc = resource.public_doc
    form, errors, status = {"items": []}, {}, 200
    if request.method == "POST":
        form = {"resource": resource.id, "purpose": request.form.get("purpose", ""),
                "legal_basis": request.form.get("legal_basis", ""), "items": request.form.getlist("items"),
                "period_end": request.form.get("period_end", "")}
        if request.form.get("period_start"):
            form["period_start"] = request.form["period_start"]
        try:
            share_request = services.create_request(session, actor, form)
            session.commit()
        except (ServiceError, ValidationError) as problem:
            session.rollback()
            errors = form_errors(problem)
            status = getattr(problem, "status", 422)
        else:
            flash(gettext("Your request is %(status)s.", status=status_label(share_request.state)))
            return redirect(url_for(".show", request_id=share_request.id))
    return _render("sharing/new.html", status, resource=resource, doc=doc, form=form, errors=errors,
                   data_items=services.data_items(doc))


@bp.route("/sharing/requests/<int:request_id>", methods=["GET", "POST"])
def show(request_id: int):
    session, actor = get_session(), current_actor()
    share_request = services.get_request(session, actor, request_id)
    errors, status, form = {}, 200, {}
    if request.method == "POST":
        action = request.form.get("action", "")
        version = request.form.get("version", "")
        expected = int(version) if version.isdigit() and len(version) < 19 else None
        form = {"reason": request.form.get("reason", "")}
        try:
            if action in ("grant", "refuse"):
                body = {"decision": action, **({"reason": form["reason"]} if form["reason"].strip() else {})}
                if action == "grant":
                    body["items"] = request.form.getlist("items")
                    if request.form.get("expires_on"):
                        body["expires_on"] = request.form["expires_on"]
                services.answer_request(session, actor, request_id, body, expected_version=expected)
            elif action == "revoke":
                services.revoke_grant(session, actor, request_id, {"reason": form["reason"]}, expected_version=expected)
            else:
                abort(400)
            session.commit()
        except (ServiceError, ValidationError) as problem:
            session.rollback()
            errors, status = form_errors(problem), getattr(problem, "status", 422)
            share_request = services.get_request(session, actor, request_id)
        else:
            flash(gettext("Done."))
            return redirect(url_for(".show", request_id=request_id))
    today = local_date(utcnow())
    return _render("sharing/request.html", status, r=share_request, errors=errors, form=form,
                   history=services.request_history(session, share_request),
                   may_answer=services.may_answer(actor, share_request),
                   may_revoke=services.may_revoke(actor, share_request, today))


@bp.route("/notifications", methods=["GET", "POST"])
def notifications():
    session, actor = get_session(), current_actor()
    if request.method == "POST":
        notes.mark_read(session, actor.id)
        session.commit()
        return redirect(url_for(".notifications"))
    return _render("sharing/notifications.html", items=notes.notifications_of(session, actor.id))
