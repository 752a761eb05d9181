"""Serves the API's own description: ``/api/v1/openapi.json`` and the ``/api/v1/docs`` page.

Government networks are often cut off from the internet, so the reference page is rendered on
the server from the generated OpenAPI document (:func:`registry.api.openapi.build_openapi`)
with a plain template: no script, style sheet or font from elsewhere.  This module turns the
document into what the template shows — operations grouped by tag, their parameters, the
fields of their request bodies and their answers — so the template stays free of logic.
"""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, render_template

from registry.api import API_PREFIX
from registry.api.openapi import build_openapi

bp = Blueprint("api_docs", __name__)

METHOD_ORDER = ["get", "post", "put", "patch", "delete"]


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(build_openapi(current_app))


@bp.get("/docs")
def docs_page():
    return render_template("api_docs.html", **page_model(build_openapi(current_app)))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp, url_prefix=API_PREFIX)


# --------------------------------------------------------------------------------------------
# From the OpenAPI document to what the page shows.
# --------------------------------------------------------------------------------------------

def _component(document: dict, reference: str) -> tuple[str, dict]:
    """``#/components/<kind>/<name>`` → ``(name, object)``."""
    _, _, kind, name = reference.split("/", 3)
    return name, document["components"][kind][name]


def _resolve(document: dict, obj: dict) -> dict:
    return _component(document, obj["$ref"])[1] if "$ref" in obj else obj


def _ref_name(schema: dict) -> str | None:
    """The component a property refers to, directly, when nullable, or as the items of a list."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[1]
    for alternative in schema.get("anyOf", []):
        if "$ref" in alternative:
            return alternative["$ref"].rsplit("/", 1)[1]
    if schema.get("type") == "array":
        return _ref_name(schema.get("items", {}))
    return None


def type_parts(schema: dict) -> list[tuple[str, str | None]]:
    """A property's type as ``(text, component or None)`` pieces: ``array of`` + ``DataItem``."""
    if "$ref" in schema:
        return [(_ref_name(schema), _ref_name(schema))]
    if "anyOf" in schema:
        parts = []
        for alternative in schema["anyOf"]:
            if alternative.get("nullable") and "$ref" not in alternative and alternative.get("type") == "object":
                continue
            parts += type_parts(alternative)
        return parts + [(" | null", None)]
    kind = schema.get("type")
    if kind == "array":
        parts = [("array of ", None)] + type_parts(schema.get("items", {}))
    elif kind:
        parts = [(f"{kind} ({schema['format']})" if "format" in schema else kind, None)]
    else:
        parts = [("any", None)]
    if schema.get("nullable"):
        parts.append((" | null", None))
    return parts


def _notes(schema: dict) -> list[str]:
    """Constraints worth a reader's eye: allowed values, lengths, ranges, patterns, defaults."""
    target = schema.get("items", {}) if schema.get("type") == "array" and "enum" in schema.get("items", {}) \
        else schema
    notes = []
    if "enum" in target:
        notes.append("one of: " + ", ".join(str(value) for value in target["enum"]))
    for key, label in (("minLength", "min length"), ("maxLength", "max length"), ("minimum", "minimum"),
                       ("maximum", "maximum"), ("minItems", "min items"), ("maxItems", "max items"),
                       ("pattern", "pattern"), ("default", "default")):
        if key in schema:
            notes.append(f"{label}: {schema[key]}")
    if schema.get("readOnly"):
        notes.append("read-only")
    if schema.get("writeOnly"):
        notes.append("write-only")
    return notes


def schema_fields(document: dict, schema: dict, *, nested: bool = True) -> list[dict]:
    """One row per property of an object schema; a property that is another component (or a list
    of them) carries that component's rows too — one level only."""
    schema = _resolve(document, schema)
    required = set(schema.get("required", []))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        reference = _ref_name(prop)
        children = []
        if nested and reference:
            children = schema_fields(document, {"$ref": f"#/components/schemas/{reference}"}, nested=False)
        rows.append({"name": name, "type": type_parts(prop), "required": name in required,
                     "description": prop.get("description", ""), "notes": _notes(prop), "children": children})
    return rows


def _parameter(document: dict, parameter: dict) -> dict:
    parameter = _resolve(document, parameter)
    schema = parameter.get("schema", {})
    return {"name": parameter["name"], "in": parameter["in"], "type": type_parts(schema),
            "required": parameter.get("required", False), "description": parameter.get("description", ""),
            "notes": _notes(schema)}


def _content_schema(content: dict) -> tuple[str | None, dict | None]:
    for media_type, body in content.items():
        return media_type, body.get("schema")
    return None, None


def _response(document: dict, status: str, response: dict) -> dict:
    response = _resolve(document, response)
    media_type, schema = _content_schema(response.get("content", {}))
    return {"status": status, "description": response.get("description", ""), "media_type": media_type,
            "type": type_parts(schema) if schema else [], "headers": sorted(response.get("headers", {}))}


def _operation(document: dict, path: str, method: str, operation: dict) -> dict:
    body = None
    if "requestBody" in operation:
        media_type, schema = _content_schema(operation["requestBody"].get("content", {}))
        body = {"media_type": media_type, "schema": _ref_name(schema or {}),
                "fields": schema_fields(document, schema or {})}
    security = operation.get("security", document.get("security", []))
    return {
        "anchor": operation.get("operationId") or f"{method}-{path}",
        "method": method.upper(),
        "path": path,
        "summary": operation.get("summary", ""),
        "description": operation.get("description", ""),
        "signed_in": bool(security) and {} not in security,
        "parameters": [_parameter(document, p) for p in operation.get("parameters", [])],
        "body": body,
        "responses": [_response(document, status, response)
                      for status, response in sorted(operation.get("responses", {}).items())],
    }


def page_model(document: dict) -> dict:
    """What ``api_docs.html`` renders: the document's info, its tags with their operations, its schemas."""
    groups = {tag["name"]: {"name": tag["name"], "description": tag.get("description", ""), "operations": []}
              for tag in document.get("tags", [])}
    for path, item in document["paths"].items():
        for method in sorted(item, key=lambda m: METHOD_ORDER.index(m) if m in METHOD_ORDER else len(METHOD_ORDER)):
            operation = item[method]
            tag = (operation.get("tags") or ["Other"])[0]
            group = groups.setdefault(tag, {"name": tag, "description": "", "operations": []})
            group["operations"].append(_operation(document, path, method, operation))
    schemes = document.get("components", {}).get("securitySchemes", {})
    return {
        "info": document["info"],
        "openapi_version": document["openapi"],
        "groups": [g for g in groups.values() if g["operations"]],
        "schemas": [{"name": name, "description": schema.get("description", ""),
                     "fields": schema_fields(document, schema, nested=False)}
                    for name, schema in document.get("components", {}).get("schemas", {}).items()],
        "security": [{"name": name, **scheme} for name, scheme in schemes.items()],
    }
