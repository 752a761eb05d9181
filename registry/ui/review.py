"""The two review levels as pages: a queue for each department's reviewer and one for the centre.

Which queue a user sees follows from the workflow itself: the states from which the user may approve
(``registry.resources.services.TRANSITIONS``) in the departments where the permission holds.  Each
item shows what would change for the public, field by field, and its history; approving or returning
(with the required comment) goes through the same transition service as the API.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import or_, select

from registry.api.common import int_arg
from registry.audit.services import diff_documents, events_for
from registry.auth import current_actor
from registry.db import get_session
from registry.errors import Forbidden, ServiceError
from registry.i18n import in_language
from registry.permissions import can, departments_for
from registry.resources import services
from registry.resources.models import Resource
from registry.resources.services import TRANSITIONS
from registry.search import index_after_commit
from registry.ui.common import label, signed_in_only

bp = Blueprint("review", __name__, url_prefix="/review")
bp.before_request(signed_in_only)
PER_PAGE = 50


def _queues(actor) -> list[tuple[str, set[int] | None]]:
    """(state, departments or None for all) for each review step ``actor`` may take."""
    steps = []
    for step in TRANSITIONS:
        if step.name == "approve":
            departments = departments_for(actor, step.action)
            if departments is None or departments:
                steps.append((step.source, departments))
    return steps


@bp.get("")
def queue():
    session, actor = get_session(), current_actor()
    queues = _queues(actor)
    if not queues:
        raise Forbidden("您没有审核权限。", "You review nothing: reviewers and the centre's admins do.")
    conditions = []
    for state, departments in queues:
        condition = Resource.state == state
        if departments is not None:
            condition &= Resource.department_id.in_(departments)
        conditions.append(condition)
    query = select(Resource).where(or_(*conditions))
    page = int_arg("page", 1, maximum=10**4)
    items = list(session.scalars(query.order_by(Resource.modified_at, Resource.id)
                                 .limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)))
    return render_template("review/queue.html", items=items[:PER_PAGE], more=len(items) > PER_PAGE, page=page,
                           label=label)


@bp.route("/resources/<int:resource_id>", methods=["GET", "POST"])
def item(resource_id: int):
    session, actor = get_session(), current_actor()
    resource = services.get_resource(session, resource_id)
    services.visible_revision(resource, actor, working=True)       # 403 for those who may not read it
    error, comment, status = None, "", 200
    if request.method == "POST":
        action, comment = request.form.get("action", ""), request.form.get("comment", "")
        version = request.form.get("version", "")
        try:
            services.transition(session, actor, resource.id, action, comment=comment,
                                expected_version=int(version) if version.isdigit() and len(version) < 19 else None)
            session.commit()
        except ServiceError as problem:
            session.rollback()
            error, status = in_language(problem.zh, problem.en), problem.status
            resource = services.get_resource(session, resource_id)
        else:
            index_after_commit()
            flash(gettext("Done. %(code)s is now: %(state)s.", code=resource.code, state=label("state", resource.state)))
            return redirect(url_for(".queue"))
    public = resource.published_doc if resource.published_doc is not None else \
        (resource.doc if resource.state == "published" else None)
    changes = diff_documents(public, resource.doc)
    may = {step.name for step in TRANSITIONS if step.source == resource.state and step.name in ("approve", "return")
           and can(actor, step.action, resource.department_id)}
    return render_template("review/item.html", resource=resource, changes=changes, public=public,
                           history=events_for(session, "resource", resource.id), may=may, error=error,
                           comment=comment, label=label), status
