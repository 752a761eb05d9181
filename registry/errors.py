"""Errors the service layer raises and the JSON the API answers with.

Services raise :class:`ServiceError` subclasses (or marshmallow's ``ValidationError``); they
know nothing of HTTP beyond the status each error maps to.  :func:`init_app` turns every
error — ours, marshmallow's, werkzeug's, and any unexpected exception — into one JSON shape (a
person's browser asking for a page gets the same error as a page in its language, ``error.html``):

    {"error": {"status": 422, "code": "validation_failed", "message": "…", "message_zh": "…",
               "errors": [{"field": "distributions.0.access_url", "reason": "…", "reason_zh": "…"}]}}
"""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from registry.i18n import in_language
from registry.schema_base import split_message

log = logging.getLogger(__name__)


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, zh: str, en: str, field: str | None = None):
        super().__init__(en)
        self.zh, self.en, self.field = zh, en, field

    def field_errors(self) -> list[dict]:
        if not self.field:
            return []
        return [{"field": self.field, "reason": self.en, "reason_zh": self.zh}]


class BadRequest(ServiceError):
    status, code = 400, "bad_request"


class Unauthorized(ServiceError):
    status, code = 401, "unauthorized"


class Forbidden(ServiceError):
    status, code = 403, "forbidden"


class NotFound(ServiceError):
    status, code = 404, "not_found"


class Conflict(ServiceError):
    status, code = 409, "conflict"


class Unavailable(ServiceError):
    """A service govcat depends on (the harvest queue) cannot be reached now."""

    status, code = 503, "unavailable"


class Invalid(ServiceError):
    """A semantic problem with one field (a code that does not exist, an illegal value)."""

    status, code = 422, "validation_failed"


def flatten_messages(messages, prefix: str = "") -> list[dict]:
    """Turn marshmallow's nested error dict into ``[{field, reason, reason_zh}]`` with dotted paths."""
    out = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out.extend(flatten_messages(value, path))
    elif isinstance(messages, (list, tuple)):
        for item in messages:
            if isinstance(item, (dict, list, tuple)):
                out.extend(flatten_messages(item, prefix))
            else:
                zh, en = split_message(item)
                out.append({"field": prefix or "_schema", "reason": en, "reason_zh": zh})
    else:
        zh, en = split_message(messages)
        out.append({"field": prefix or "_schema", "reason": en, "reason_zh": zh})
    return out


def error_body(status: int, code: str, en: str, zh: str, errors: list[dict] | None = None):
    payload = {"status": status, "code": code, "message": en, "message_zh": zh}
    if errors:
        payload["errors"] = errors
    response = jsonify({"error": payload})
    response.status_code = status
    return response


_HTTP_ZH = {
    400: "请求无效。", 401: "需要登录或有效的访问令牌。", 403: "无权执行此操作。", 404: "未找到。",
    405: "不支持此请求方法。", 406: "不支持请求的格式。", 409: "冲突。", 413: "请求体过大。",
    415: "不支持的媒体类型。", 422: "数据校验未通过。", 428: "缺少前置条件。", 429: "请求过于频繁。",
    500: "服务器内部错误。",
}


def _titles() -> dict[int, str]:
    return {400: gettext("The request is not valid"), 401: gettext("Please sign in"),
            403: gettext("Not allowed"), 404: gettext("Page not found"), 405: gettext("Not allowed"),
            413: gettext("Too large"), 429: gettext("Too many requests"), 500: gettext("Something went wrong")}


def error_page(status: int, zh: str, en: str):
    """An error as a page, in the page's language."""
    title = _titles().get(status) or _titles()[500 if status >= 500 else 400]
    return render_template("error.html", status=status, title=title, message=in_language(zh, en)), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):
        if _wants_page():
            return error_page(exc.status, exc.zh, exc.en)
        return error_body(exc.status, exc.code, exc.en, exc.zh, exc.field_errors())

    @app.errorhandler(ValidationError)
    def _validation_error(exc: ValidationError):
        return error_body(422, "validation_failed", "The data did not pass validation.", "数据校验未通过。",
                          flatten_messages(exc.messages))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        if status < 400:          # a redirect the router asks for (a missing trailing slash)
            return exc
        if _wants_page():         # a person gets a page; any program the JSON error, never a bare HTML page
            return error_page(status, _HTTP_ZH.get(status, exc.name), exc.description or exc.name)
        return error_body(status, (exc.name or "error").lower().replace(" ", "_"),
                          exc.description or exc.name, _HTTP_ZH.get(status, exc.name))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        if _wants_page():
            return error_page(500, "发生了意外错误，已记录。", "An unexpected error occurred; it has been logged.")
        return error_body(500, "internal_error", "An unexpected error occurred; it has been logged.",
                          _HTTP_ZH[500])


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _wants_page() -> bool:
    """A browser at a page (not the API, not an RDF or JSON client).  A browser's ``Accept`` ranks
    HTML above ``*/*`` beside image types of the same weight, so HTML is matched, not taken as the
    first entry; a client that accepts anything (``*/*``) gets the JSON error."""
    return (not request.path.startswith("/api/")
            and request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html")
