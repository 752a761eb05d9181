"""My API tokens as a page: create one (its secret shown once, on the answer to the form), revoke one."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import ValidationError

from registry.accounts import services
from registry.auth import current_actor
from registry.db import get_session
from registry.errors import ServiceError
from registry.i18n import in_language
from registry.ui.common import form_errors, signed_in_only

bp = Blueprint("tokens", __name__, url_prefix="/workspace/tokens")
bp.before_request(signed_in_only)


@bp.route("", methods=["GET", "POST"])
def tokens():
    session, actor = get_session(), current_actor()
    created, errors, status = None, {}, 200
    if request.method == "POST":
        days = request.form.get("expires_in_days", "").strip()
        data = {"name": request.form.get("name", "").strip()}
        if days:
            data["expires_in_days"] = int(days) if days.isdigit() and len(days) < 12 else days
        try:
            token, secret = services.create_token(session, actor, data,
                                                  default_days=current_app.config["GOVCAT_TOKEN_DEFAULT_DAYS"])
            session.commit()
            created = {"name": token.name, "secret": secret}      # shown on this answer only: stored as a digest
        except ValidationError as problem:
            session.rollback()
            errors, status = form_errors(problem), 422
    mine = services.list_tokens(session, actor)
    return render_template("workspace/tokens.html", tokens=mine, created=created, errors=errors,
                           default_days=current_app.config["GOVCAT_TOKEN_DEFAULT_DAYS"]), status


@bp.post("/<int:token_id>/revoke")
def revoke(token_id: int):
    session = get_session()
    try:
        token = services.revoke_token(session, current_actor(), token_id)
        session.commit()
        flash(gettext("Token %(name)s revoked.", name=token.name))
    except ServiceError as problem:
        session.rollback()
        flash(in_language(problem.zh, problem.en))
    return redirect(url_for(".tokens"))
