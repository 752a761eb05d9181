"""The JSON API of users and API tokens (administration), and of the caller itself."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from registry.accounts import services
from registry.accounts.services import token_representation, user_representation
from registry.api.common import json_body, query_args
from registry.auth import current_actor
from registry.db import get_session
from registry.errors import Unauthorized
from registry.permissions import Action, require

bp = Blueprint("accounts_api", __name__)


def _signed_in():
    actor = current_actor()
    if actor is None:
        raise Unauthorized("需要登录或有效的访问令牌。", "Sign in or send a valid API token.")
    return actor


@bp.get("/me")
def me():
    return jsonify(user_representation(_signed_in()))


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
    require(current_actor(), Action.USER_MANAGE)
    return jsonify(user_representation(services.get_user(get_session(), username)))


@bp.patch("/users/<username>")
def update_user(username: str):
    session = get_session()
    user = services.update_user(session, current_actor(), username, json_body())
    session.commit()
    return jsonify(user_representation(user))


@bp.get("/tokens")
def list_tokens():
    args = query_args({"username"})
    tokens = services.list_tokens(get_session(), _signed_in(), args.get("username"))
    return jsonify({"items": [token_representation(t) for t in tokens], "total": len(tokens)})


@bp.post("/tokens")
def create_token():
    session = get_session()
    token, secret = services.create_token(session, _signed_in(), json_body(),
                                          default_days=current_app.config["GOVCAT_TOKEN_DEFAULT_DAYS"])
    session.commit()
    # The secret is in this answer only: it is stored as a digest.
    return jsonify({**token_representation(token), "token": secret}), 201


@bp.delete("/tokens/<int:token_id>")
def revoke_token(token_id: int):
    session = get_session()
    token = services.revoke_token(session, _signed_in(), token_id)
    session.commit()
    return jsonify(token_representation(token))
