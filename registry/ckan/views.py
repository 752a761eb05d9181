"""The CKAN action API over HTTP: ``/api/3/action/<action>`` (and ``/api/action/<action>``).

CKAN clients and harvesters read a catalog through this one URL pattern, with GET query strings or
POST bodies (JSON, or a form), and expect CKAN's envelope back: ``{"help", "success", "result"}``,
or ``{"help", "success": false, "error": {"__type", "message", <field>: [...]}}`` with CKAN's status
codes.  This module reads requests the way CKAN does, runs the action in a read-only session and
speaks that envelope — also for errors raised before the action runs (a bad token, a wrong method),
so a CKAN client never meets govcat's own JSON error shape here.
"""
from __future__ import annotations

import json
import logging

from flask import Blueprint, current_app, request, url_for
from werkzeug.exceptions import HTTPException

from registry.ckan.services import ACTIONS, Context
from registry.db import get_db
from registry.errors import ServiceError
from registry.search import get_engine

log = logging.getLogger(__name__)

bp = Blueprint("ckan", __name__)

# What each kind of govcat error is to CKAN: its __type and status.
NOT_FOUND = ("Not Found Error", 404)
FORBIDDEN = ("Authorization Error", 403)
VALIDATION = ("Validation Error", 409)
QUERY = ("Search Query Error", 400)
UNAVAILABLE = ("Search Connection Error", 503)


def _respond(payload, status: int = 200):
    response = current_app.json.response(payload)
    response.status_code = status
    response.headers["Content-Type"] = "application/json;charset=utf-8"
    return response


def _help_url(action: str) -> str:
    return url_for(f"{request.blueprint or bp.name}.action", action="help_show", name=action, _external=True)


def _bad_request(message: str):
    """CKAN answers a request it cannot read with a bare JSON string, not the envelope."""
    return _respond(f"Bad request: {message}", 400)


def _language() -> str:
    return "zh" if request.accept_languages.best_match(["en", "zh"], default="en") == "zh" else "en"


def _error(action: str, kind: tuple[str, int], message: str, fields: dict | None = None):
    error = {"__type": kind[0], "message": message, **(fields or {})}
    return _respond({"help": _help_url(action), "success": False, "error": error}, kind[1])


def _service_error(action: str, exc: ServiceError):
    message = exc.zh if _language() == "zh" else exc.en
    if exc.status == 404:
        return _error(action, NOT_FOUND, f"Not found: {message}")
    if exc.status in (401, 403):
        return _error(action, FORBIDDEN, f"Access denied: {message}")
    if exc.status == 503:
        return _error(action, UNAVAILABLE, message)
    kind = QUERY if exc.status == 400 and exc.code == "search_query_error" else VALIDATION
    return _error(action, kind, message, {exc.field: [message]} if exc.field and kind is VALIDATION else None)


def _mixed(multi_dict) -> dict:
    """CKAN's reading of a query string or form: a repeated key gives a list, a single one a string."""
    return {key: values[0] if len(values) == 1 else values for key, values in multi_dict.to_dict(flat=False).items()}


def _request_data() -> dict:
    """The action's data dict: a form, else the query string, else the JSON body (CKAN's order)."""
    if request.method == "POST" and request.form:
        values = list(request.form.values())
        if len(values) == 1 and values[0] in ("1", ""):        # a JSON text posted as a form key
            data = json.loads(next(iter(request.form.keys())))
        else:
            data = _mixed(request.form)
    elif request.args:
        data = _mixed(request.args)
    elif request.get_data(cache=True):
        data = json.loads(request.get_data(cache=True))
    else:
        data = {}
    if not isinstance(data, dict):
        raise ValueError(f"Request data JSON decoded to {type(data).__name__} but it needs to be a dictionary.")
    data.pop("callback", None)
    return data


@bp.route("/<action>", methods=["GET", "POST"])
def action(action: str):
    if action == "help_show":
        return _help_show()
    function = ACTIONS.get(action)
    if function is None:
        return _bad_request(f"Action name not known: {action}")
    try:
        data = _request_data()
    except ValueError as error:            # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
        return _bad_request(f"JSON Error: {error}")
    try:
        with get_db().reader() as session:
            context = Context(session, get_engine(), request.url_root.rstrip("/"))
            result = function(context, data)
    except ServiceError as error:
        return _service_error(action, error)
    except Exception:
        log.exception("CKAN action %s failed", action)
        return _error(action, ("Internal Server Error", 500), "Internal Server Error")
    return _respond({"help": _help_url(action), "success": True, "result": result})


def _help_show():
    """help_show: the documentation of an action (its docstring), as CKAN gives it."""
    try:
        data = _request_data()
    except ValueError as error:
        return _bad_request(f"JSON Error: {error}")
    name = data.get("name")
    function = ACTIONS.get(name) if isinstance(name, str) else None
    if function is None and name != "help_show":
        return _error("help_show", NOT_FOUND, "Not found: Action function not found")
    doc = _help_show.__doc__ if function is None else function.__doc__
    return _respond({"help": _help_url("help_show"), "success": True, "result": doc})


@bp.errorhandler(ServiceError)
def _before_action_error(error: ServiceError):
    """Errors raised before the action runs (an invalid API token is refused for every route)."""
    return _service_error(request.view_args.get("action", "") if request.view_args else "", error)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    action_name = request.view_args.get("action", "") if request.view_args else ""
    status = error.code or 500
    if status == 404:
        return _error(action_name, NOT_FOUND, "Not found")
    if status in (401, 403):
        return _error(action_name, FORBIDDEN, "Access denied")
    if status < 500:
        return _bad_request(error.description or error.name)
    return _error(action_name, ("Internal Server Error", status), "Internal Server Error")
