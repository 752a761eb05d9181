"""The JSON API of resources: ``/api/v1/resources``."""
from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for

from vocab import enumerations as v
from registry.api.common import expected_version, json_body, paging, query_args, with_etag
from registry.audit.services import event_representation
from registry.auth import current_actor
from registry.db import get_session
from registry.errors import BadRequest
from registry.resources import services
from registry.resources.origins import resource_origins
from registry.resources.services import READ_ONLY_KEYS, resource_representation
from registry.search import get_engine, index_after_commit
from registry.search.query import parse_search_args
from registry.search.services import search_resources

bp = Blueprint("resources_api", __name__)

@bp.get("/resources")
def list_resources():
    """Search and list: public hits by default, the caller's workspace with ``state``."""
    states = tuple(s for value in request.args.getlist("state") for s in value.split(",") if s)
    bad = [s for s in states if s not in v.RESOURCE_STATES]
    if bad:
        raise BadRequest(f"未知的状态：{bad[0][:50]}。",
                         f"Unknown state {bad[0][:50]!r}; one of {', '.join(v.RESOURCE_STATES.keys)}.", "state")
    page, per_page = paging()
    query = parse_search_args(request.args, page=page, per_page=per_page)
    return jsonify(search_resources(get_session(), get_engine(), current_actor(), query, states, relax=True))


def _metadata(body: dict) -> dict:
    return {k: val for k, val in body.items() if k not in READ_ONLY_KEYS}


@bp.post("/resources")
def create_resource():
    session = get_session()
    resource = services.create_resource(session, current_actor(), _metadata(json_body()))
    session.commit()
    index_after_commit()
    response = jsonify(resource_representation(resource, "working"))
    response.status_code = 201
    response.headers["Location"] = url_for(".get_resource", resource_id=resource.id)
    return with_etag(response, resource.version)


@bp.get("/resources/<int:resource_id>")
def get_resource(resource_id: int):
    query_args({"revision"})
    wanted = request.args.get("revision", "")
    if wanted not in ("", "published", "working"):
        raise BadRequest("revision 应为 published 或 working。", "revision is published or working.", "revision")
    session = get_session()
    resource = services.get_resource(session, resource_id)
    revision = services.visible_revision(resource, current_actor(), working=wanted == "working")
    return with_etag(jsonify(resource_representation(resource, revision)), resource.version)


@bp.route("/resources/<int:resource_id>", methods=["PUT", "PATCH"])
def update_resource(resource_id: int):
    body = json_body()
    session = get_session()
    resource = services.update_resource(
        session, current_actor(), resource_id, _metadata(body), expected_version=expected_version(body),
        partial=request.method == "PATCH")
    session.commit()
    index_after_commit()
    return with_etag(jsonify(resource_representation(resource, "working")), resource.version)


@bp.post("/resources/<int:resource_id>/transitions")
def transition(resource_id: int):
    body = json_body()
    unknown = sorted(set(body) - {"transition", "comment", "version"})
    if unknown:
        raise BadRequest("未知字段。", f"Unknown field {unknown[0]!r}.", unknown[0])
    name, comment = body.get("transition"), body.get("comment")
    if not isinstance(name, str):
        raise BadRequest("必须给出流转操作。", "Say which transition: submit, approve, return or withdraw.",
                         "transition")
    if comment is not None and not isinstance(comment, str):
        raise BadRequest("comment 应为字符串。", "comment must be a string.", "comment")
    session = get_session()
    resource = services.transition(session, current_actor(), resource_id, name, comment=comment,
                                   expected_version=expected_version(body))
    session.commit()
    index_after_commit()
    return with_etag(jsonify(resource_representation(resource, "working")), resource.version)


@bp.get("/resources/<int:resource_id>/history")
def history(resource_id: int):
    session = get_session()
    events = services.resource_history(session, current_actor(), resource_id)
    answer = {"items": [event_representation(e) for e in events]}
    origin = resource_origins(session, [resource_id]).get(resource_id)
    if origin is not None:     # a harvested resource: where its metadata comes from
        answer["provenance"] = {"source": origin["source_name"], "source_url": origin["source_url"],
                                "original_id": origin["original"], "harvested": origin["harvested_at"].isoformat()}
    return jsonify(answer)
