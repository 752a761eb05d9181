"""Who is asking: browser sessions (flask-login) and bearer tokens for the API.

``Authorization: Bearer gct_…`` authenticates an API request; a browser signs in at
``/login`` and is remembered by a signed session cookie.  A request that sends a token which
is wrong, revoked or expired is answered 401 at once rather than served as the public.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import LoginManager, current_user, login_user, logout_user

from registry.accounts import throttle
from registry.accounts.models import User
from registry.accounts.services import authenticate, user_for_token
from registry.db import get_session
from registry.errors import Unauthorized

login_manager = LoginManager()
bp = Blueprint("auth", __name__)


def current_actor() -> User | None:
    """The signed-in user of this request, or ``None`` for the public."""
    return current_user if current_user and current_user.is_authenticated else None


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    """The user of a browser session, if it is still theirs: active, and opened under their current
    session generation (signing out, a new password or deactivation raise it)."""
    user_id, _, generation = session_id.partition(".")
    user = get_session().get(User, int(user_id)) if user_id.isdigit() and generation.isdigit() else None
    if user is None or not user.active or int(generation) != (user.session_generation or 0):
        return None
    return user


@login_manager.request_loader
def _load_user_from_token(req) -> User | None:
    token = _bearer_token()
    if token is None:
        return None
    user = user_for_token(get_session(), token)
    if user is None:
        raise Unauthorized("访问令牌无效、已撤销或已过期。", "The API token is invalid, revoked or expired.")
    return user


@bp.route("/login", methods=["GET", "POST"])
def login():
    error, status, headers = None, 200, {}
    if request.method == "POST":
        session, username = get_session(), request.form.get("username", "")
        limits = {"account": current_app.config.get("GOVCAT_LOGIN_FAILURES_PER_ACCOUNT", 10),
                  "address": current_app.config.get("GOVCAT_LOGIN_FAILURES_PER_ADDRESS", 50)}
        wait = throttle.wait_seconds(session, username, request.remote_addr, limits)
        if wait:
            error = gettext("Too many failed sign-ins; try again in %(seconds)d seconds.", seconds=wait)
            status, headers = 429, {"Retry-After": str(wait)}
        else:
            user = authenticate(session, username, request.form.get("password", ""))
            if user is not None:
                throttle.clear_account(session, username)
                session.commit()
                login_user(user)
                return redirect(safe_next(request.args.get("next", "")) or url_for("home"))
            throttle.note_failure(session, username, request.remote_addr)
            session.commit()
            error, status = gettext("Wrong user name or password."), 401
    return render_template("login.html", error=error), status, headers


def safe_next(target: str) -> str | None:
    """``target`` when it is a path on this site, else ``None``: no scheme, no host, nothing a browser
    would read as another site (``//host``, ``/\\host``, a tab or line break that it drops or that
    would split the Location header)."""
    if not target.startswith("/") or target[1:2] in ("/", "\\") or any(c < " " or c == "\x7f" for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.post("/logout")
def logout():
    user = current_actor()
    if user is not None:       # every session of the user ends, not only this browser's
        user.end_sessions()
        get_session().commit()
    logout_user()
    return redirect(url_for("home"))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    app.register_blueprint(bp)

    @app.before_request
    def _authenticate_token():
        # Resolve a bearer token before the view runs, so a bad token is a 401 for every route.
        if _bearer_token() is not None:
            current_user._get_current_object()
