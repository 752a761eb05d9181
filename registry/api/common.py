"""What every JSON view shares: reading bodies and query strings, paging, answering."""
from __future__ import annotations

from flask import current_app, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, ValidationError

from registry.auth import current_actor
from registry.errors import BadRequest
from registry.permissions import require_signed_in

# The largest id or number any engine stores (a signed 64-bit integer).
INT_MAX = 2**63 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` in routes, refusing numbers no database column can hold (they are simply not found).

    Not found whatever the method: left to the router, a refused number made ``PUT`` on a route that
    also serves ``GET`` a 405, as if the path existed for ``GET`` only.
    """

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        try:
            return super().to_python(value)
        except ValidationError:
            raise NotFound() from None


def json_body() -> dict:
    """The request's JSON object, or a 400 that says what is wrong with it.

    Every endpoint that reads a body writes, and only a signed-in user may write: an anonymous
    request is answered 401 before its body is read at all.
    """
    require_signed_in(current_actor())
    if request.mimetype != "application/json":
        raise BadRequest("请求体应为 JSON（Content-Type: application/json）。",
                         "Send JSON with Content-Type: application/json.")
    if not request.get_data(cache=True):
        raise BadRequest("请求体为空。", "The request body is empty; send a JSON object.")
    try:
        body = request.get_json(silent=True)
    except RecursionError:        # the parser's own limit, far past any metadata's depth
        body = _TOO_DEEP
    if body is _TOO_DEEP or (body is not None and _depth_over(body, MAX_JSON_DEPTH)):
        raise BadRequest(f"JSON 嵌套层数超过 {MAX_JSON_DEPTH}。",
                         f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep.")
    if body is None:
        raise BadRequest("请求体不是有效的 JSON。", "The request body is not valid JSON.")
    if not isinstance(body, dict):
        raise BadRequest("请求体应为 JSON 对象。", "The request body must be a JSON object.")
    return body


MAX_JSON_DEPTH = 32      # a resource's document is five levels deep at most
_TOO_DEEP = object()


def _depth_over(value, limit: int) -> bool:
    """Whether ``value`` nests objects and arrays more than ``limit`` deep (iteratively: no recursion)."""
    todo = [(value, 1)]
    while todo:
        node, depth = todo.pop()
        if isinstance(node, (dict, list)):
            if depth > limit:
                return True
            todo.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return False


def query_args(allowed: set[str]) -> dict:
    """The query string, refusing parameters the endpoint does not know."""
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        raise BadRequest(f"未知的查询参数：{', '.join(unknown)}。",
                         f"Unknown query parameter(s): {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}.",
                         unknown[0])
    return request.args


def int_arg(name: str, default: int, minimum: int = 1, maximum: int = INT_MAX) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"参数 {name} 应为整数。", f"The parameter {name} must be an integer.", name) from None
    if value < minimum or value > maximum:
        limit = f"{minimum}–{maximum}" if maximum != INT_MAX else f"≥ {minimum}"
        raise BadRequest(f"参数 {name} 应在 {limit} 范围内。", f"The parameter {name} must be {limit}.", name)
    return value


def paging() -> tuple[int, int]:
    maximum = current_app.config["GOVCAT_PAGE_SIZE_MAX"]
    return int_arg("page", 1, maximum=10**7), int_arg("per_page", min(50, maximum), maximum=maximum)


def expected_version(body: dict | None = None) -> int | None:
    """The version a writer read: the ``If-Match`` header (an ETag) or the body's ``version``."""
    header = request.headers.get("If-Match")
    if header:
        tag = header.strip().removeprefix("W/").strip('"')
        if not tag.isdigit():
            raise BadRequest("If-Match 应为资源的 ETag。", "If-Match must be the resource's ETag.", "If-Match")
        return int(tag)
    value = (body or {}).get("version")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadRequest("version 应为整数。", "version must be an integer.", "version")
    return value


def with_etag(response, version: int):
    response.set_etag(str(version))
    return response
