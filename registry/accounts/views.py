"""The JSON API of users and API tokens (administration), and of the caller itself."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from registry.accounts import services
from registry.accounts.services import token_representation, user_representation
from registry.api.common import json_body, query_args
from registry.auth import current_actor
from registry.db import get_session
from registry.permissions import require_signed_in

bp = Blueprint("accounts_api", __name__)


@bp.get("/me")
def me():
    actor = current_actor()
    require_signed_in(actor)
    return jsonify(user_representation(actor))


@bp.get("/users")
def list_users():
    users = services.list_users(get_session(), current_actor())
    return jsonify({"items": [user_representation(u) for u in users], "total": len(users)})


@bp.post("/users")
def create_user():
    session = get_session()
    user = services.create_user(session, current_actor(), json_body())
    session.commit()
    return jsonify(user_representation(user)), 201


@bp.get("/users/<username>")
def get_user(username: str):
    return jsonify(user_representation(services.read_user(get_session(), current_actor(), username)))


@bp.patch("/users/<username>")
def update_user(username: str):
    session = get_session()
    user = services.update_user(session, current_actor(), username, json_body())
    session.commit()
    return jsonify(user_representation(user))


@bp.get("/tokens")
def list_tokens():
    args = query_args({"username"})
    tokens = services.list_tokens(get_session(), current_actor(), args.get("username"))
    return jsonify({"items": [token_representation(t) for t in tokens], "total": len(tokens)})


@bp.post("/tokens")
def create_token():
    session = get_session()
    token, secret = services.create_token(session, current_actor(), json_body(),
                                          default_days=current_app.config["GOVCAT_TOKEN_DEFAULT_DAYS"])
    session.commit()
    # The secret is in this answer only: it is stored as a digest.
    return jsonify({**token_representation(token), "token": secret}), 201


@bp.delete("/tokens/<int:token_id>")
def revoke_token(token_id: int):
    session = get_session()
    token = services.revoke_token(session, current_actor(), token_id)
    session.commit()
    return jsonify(token_representation(token))
