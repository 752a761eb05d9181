"""Errors the service layer raises and the JSON the API answers with.

Services raise :class:`ServiceError` subclasses (or marshmallow's ``ValidationError``); they
know nothing of HTTP beyond the status each error maps to.  :func:`init_app` turns every
error — ours, marshmallow's, werkzeug's, and any unexpected exception — into one JSON shape:

    {"error": {"status": 422, "code": "validation_failed", "message": "…", "message_zh": "…",
               "errors": [{"field": "distributions.0.access_url", "reason": "…", "reason_zh": "…"}]}}
"""
from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

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


def init_app(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):
        return error_body(exc.status, exc.code, exc.en, exc.zh, exc.field_errors())

    @app.errorhandler(ValidationError)
    def _validation_error(exc: ValidationError):
        return error_body(422, "validation_failed", "The data did not pass validation.", "数据校验未通过。",
                          flatten_messages(exc.messages))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if not _wants_json():
            return exc
        status = exc.code or 500
        return error_body(status, (exc.name or "error").lower().replace(" ", "_"),
                          exc.description or exc.name, _HTTP_ZH.get(status, exc.name))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_body(500, "internal_error", "An unexpected error occurred; it has been logged.",
                          _HTTP_ZH[500])


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"
