"""The JSON API of departments and of the audit trail per department."""
from __future__ import annotations

from flask import Blueprint, jsonify, url_for

from vocab import enumerations as v
from registry.api.common import expected_version, int_arg, json_body, query_args, with_etag
from registry.audit.services import event_representation
from registry.auth import current_actor
from registry.db import get_session
from registry.departments import services
from registry.departments.services import department_representation
from registry.errors import BadRequest
from registry.search import index_after_commit

bp = Blueprint("departments_api", __name__)


@bp.get("/departments")
def list_departments():
    args = query_args({"level", "parent"})
    if args.get("level") and args["level"] not in v.ADMINISTRATIVE_LEVELS:
        raise BadRequest("未知的行政层级。", f"Unknown level; one of {', '.join(v.ADMINISTRATIVE_LEVELS.keys)}.", "level")
    departments = services.list_departments(get_session(), level=args.get("level"), parent=args.get("parent"))
    return jsonify({"items": [department_representation(d) for d in departments], "total": len(departments)})


@bp.post("/departments")
def create_department():
    session = get_session()
    department = services.create_department(session, current_actor(), json_body())
    session.commit()
    response = jsonify(department_representation(department))
    response.status_code = 201
    response.headers["Location"] = url_for(".get_department", code=department.credit_code)
    return with_etag(response, department.version)


@bp.get("/departments/<code>")
def get_department(code: str):
    department = services.get_department(get_session(), code)
    return with_etag(jsonify(department_representation(department)), department.version)


@bp.patch("/departments/<code>")
def update_department(code: str):
    body = json_body()
    version = expected_version(body)
    if version is not None:
        body["version"] = version
    session = get_session()
    department = services.update_department(session, current_actor(), code, body)
    session.commit()
    index_after_commit()
    return with_etag(jsonify(department_representation(department)), department.version)


@bp.get("/departments/<code>/history")
def department_history(code: str):
    query_args({"before", "limit"})
    events = services.department_history(get_session(), current_actor(), code,
                                         limit=int_arg("limit", 100, maximum=1000),
                                         before_id=int_arg("before", 0, minimum=0) or None)
    return jsonify({"items": [event_representation(e) for e in events]})
