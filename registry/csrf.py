"""Cross-site request forgery: a state change a browser's cookie could carry on another site's behalf
must prove it comes from this site's own pages.

Every state-changing request (POST, PUT, PATCH, DELETE) that would act through the session cookie —
a signed-in browser, and the sign-in form itself (or another site could sign a victim in as the
attacker) — must carry this session's token: the ``csrf_token`` field of a form, or the
``X-CSRF-Token`` header for JSON.  A request with another site's ``Origin`` is refused as well.
Requests with a bearer token carry no ambient authority and are exempt; so are anonymous API calls,
which the permission checks answer with 401 as before.  Pages put the token in their forms through
``csrf_token()``.
"""
from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import Flask, render_template, request, session
from flask_babel import gettext
from flask_login import current_user

from registry.errors import Forbidden

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
FIELD, HEADER = "csrf_token", "X-CSRF-Token"
FORMS = {"auth.login", "auth.logout"}     # forms posted without a signed-in session still need a token


def csrf_token() -> str:
    """This browser session's token, drawn when first needed and kept in the session."""
    if FIELD not in session:
        session[FIELD] = secrets.token_urlsafe(32)
    return session[FIELD]


def _bearer() -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


def _from_another_site() -> bool:
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin == "null"
    return urlsplit(origin).netloc != request.host


def check():
    """Refuse a state change that acts through the session cookie without this session's token (a form
    of this site's gets its page back with the message; an API call the JSON error)."""
    if request.method not in UNSAFE or _bearer():
        return
    if request.endpoint not in FORMS and not current_user.is_authenticated:
        return
    sent = request.form.get(FIELD) if request.mimetype in ("application/x-www-form-urlencoded",
                                                           "multipart/form-data") else None
    sent = sent or request.headers.get(HEADER, "")
    expected = session.get(FIELD)
    if _from_another_site() or not expected or not hmac.compare_digest(str(sent), expected):
        if request.endpoint in FORMS:      # a person at a form: the form again, with the message inline
            return render_template("login.html", error=gettext("The form expired or came from another site; "
                                                               "please sign in again.")), 403
        raise Forbidden("请求缺少有效的防跨站令牌，请刷新页面后重试。",
                        "The request lacks this session's CSRF token (form field csrf_token or header "
                        "X-CSRF-Token), or comes from another site; reload the page and try again.", FIELD)


def init_app(app: Flask) -> None:
    app.before_request(check)

    @app.context_processor
    def _token():
        return {"csrf_token": csrf_token}
