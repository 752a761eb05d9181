"""The JSON API of sharing requests: ``/api/v1/share-requests``, and its part of the OpenAPI document.

Thin views: :mod:`registry.sharing.services` checks permissions and rules and writes the audit trail.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, url_for
from marshmallow import fields

from registry.api.answers import Answer, described
from registry.api.common import expected_version, int_arg, json_body, paging, query_args
from registry.api.openapi import BODY, ApiPart, Op, add_api_part
from registry.audit.services import event_representation
from registry.auth import current_actor
from registry.db import get_session
from registry.sharing import services
from registry.sharing.models import REQUEST_STATES
from registry.sharing.schemas import ShareAnswerSchema, ShareRequestSchema, ShareRevokeSchema

bp = Blueprint("share_requests_api", __name__)


def _answer(share_request, status: int = 200, *, history: bool = False):
    body = services.request_representation(share_request)
    if history:
        body["history"] = [event_representation(e) for e in services.request_history(get_session(), share_request)]
    response = jsonify(body)
    response.status_code = status
    return response


@bp.post("/share-requests")
def create_request():
    body = json_body()
    session = get_session()
    share_request = services.create_request(session, current_actor(), body)
    session.commit()
    response = _answer(share_request, 201)
    response.headers["Location"] = url_for(".get_request", request_id=share_request.id)
    return response


@bp.get("/share-requests")
def list_requests():
    args = query_args({"box", "status", "resource", "page", "per_page"})
    page, per_page = paging()
    resource = int_arg("resource", 0, minimum=1) or None
    items, total = services.list_requests(get_session(), current_actor(), box=args.get("box") or "all",
                                          status=args.get("status") or None, resource_id=resource,
                                          page=page, per_page=per_page)
    return jsonify({"items": [services.request_representation(r) for r in items], "total": total,
                    "page": page, "per_page": per_page})


@bp.get("/share-requests/<int:request_id>")
def get_request(request_id: int):
    query_args(set())
    return _answer(services.get_request(get_session(), current_actor(), request_id), history=True)


@bp.post("/share-requests/<int:request_id>/answer")
def answer_request(request_id: int):
    body = json_body()
    session = get_session()
    share_request = services.answer_request(session, current_actor(), request_id, body,
                                            expected_version=expected_version())
    session.commit()
    return _answer(share_request)


@bp.post("/share-requests/<int:request_id>/revoke")
def revoke_grant(request_id: int):
    body = json_body()
    session = get_session()
    share_request = services.revoke_grant(session, current_actor(), request_id, body,
                                          expected_version=expected_version())
    session.commit()
    return _answer(share_request)


# --------------------------------------------------------------------------------------------
# The OpenAPI document's part.
# --------------------------------------------------------------------------------------------

class _Department(Answer):
    credit_code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True, allow_none=True)


class _Requester(Answer):
    username = fields.String(required=True)
    department = fields.Nested(_Department, required=True)


class _ResourceRef(Answer):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    title = fields.String(required=True)


class _Grant(Answer):
    items = fields.List(fields.String(), required=True)
    starts_on = fields.Date(required=True)
    expires_on = fields.Date(required=True, metadata=described("授权的最后一天。The grant's last day."))
    granted_at = fields.DateTime(required=True)
    revoked_at = fields.DateTime(required=True, allow_none=True)
    revoke_reason = fields.String(required=True, allow_none=True)


class _Event(Answer):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)


class ShareRequestRecordSchema(Answer):
    id = fields.Integer(required=True)
    resource = fields.Nested(_ResourceRef, required=True)
    provider = fields.Nested(_Department, required=True)
    requester = fields.Nested(_Requester, required=True)
    share_type = fields.String(required=True, metadata=described("申请时资源的共享类型。The resource's sharing type "
                                                                 "when it was requested."))
    purpose = fields.String(required=True)
    legal_basis = fields.String(required=True)
    items = fields.List(fields.String(), required=True)
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    state = fields.String(required=True, metadata={"enum": list(REQUEST_STATES)})
    status = fields.String(required=True, metadata={"enum": list(services.STATUSES), "description":
                           "当前情况：含逾期（overdue）与授权到期（expired）。The state, with overdue (pending past "
                           "its deadline) and expired (a grant past its last day)."})
    overdue = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
    due_on = fields.Date(required=True, metadata=described("答复期限（10 个工作日）。The last day to answer on "
                                                           "(10 working days)."))
    answered_at = fields.DateTime(required=True, allow_none=True)
    answered_by = fields.String(required=True, allow_none=True, metadata=described(
        "答复人；system 为依规则自动答复。Who answered; system when the rules did."))
    answer_reason = fields.String(required=True, allow_none=True)
    grant = fields.Nested(_Grant, required=True, allow_none=True)
    version = fields.Integer(required=True)
    history = fields.List(fields.Nested(_Event), metadata=described("审计记录（仅单个申请）。The audit trail (one "
                                                                      "request only)."))


class ShareRequestListSchema(Answer):
    items = fields.List(fields.Nested(ShareRequestRecordSchema), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


TAG = "Sharing"
SCHEMAS = {"ShareRequest": ShareRequestSchema, "ShareAnswer": ShareAnswerSchema, "ShareRevoke": ShareRevokeSchema,
           "ShareRequestRecord": ShareRequestRecordSchema, "ShareRequestList": ShareRequestListSchema}
DESCRIPTIONS = {
    "ShareRequest": "共享申请。A sharing request: the resource, purpose, legal basis, data items and period of use.",
    "ShareAnswer": "对共享申请的答复。An answer to a sharing request.",
    "ShareRevoke": "撤销授权。The revocation of a grant.",
    "ShareRequestRecord": "共享申请及其答复与授权。A sharing request with its answer and grant.",
}
PARAMETERS = {
    "path.request_id": {"name": "request_id", "in": "path", "required": True,
                        "schema": {"type": "integer", "minimum": 1}, "description": "共享申请编号。The request's id."},
    "query.box": {"name": "box", "in": "query", "allowEmptyValue": True,
                  "schema": {"type": "string", "enum": list(services.BOXES), "default": "all"},
                  "description": "mine：本人提出的；outbox：本部门提出的；inbox：向本部门提出的；all：可见的全部。"
                                 "mine: made by you; outbox: by your department; inbox: to your department; all: "
                                 "every one you may see (the centre: every request)."},
    "query.status": {"name": "status", "in": "query", "allowEmptyValue": True,
                     "schema": {"type": "string", "enum": list(services.STATUSES)},
                     "description": "按当前情况筛选。Only requests with this status."},
    "query.resource": {"name": "resource", "in": "query", "allowEmptyValue": True,
                       "schema": {"type": "integer", "minimum": 1},
                       "description": "只列出对此资源的申请。Only requests for this resource."},
}
OPERATIONS = (
    Op("POST", "/share-requests", "createShareRequest", TAG, "Request another department's resource",
       "无条件共享的立即同意；不予共享的立即以提供方登记的依据不同意；有条件共享的交提供方审核人员在 10 个工作日内答复。"
       "本部门对同一资源已有未答复申请时为 409。Unconditional: granted at once; not shared: refused at once with "
       "the basis the provider recorded; conditional: to the provider's reviewers, to answer within 10 working days. "
       "409 when your department has an open request for the resource, or it is not published.",
       body="ShareRequest", status=201, answer="ShareRequestRecord", errors=(*BODY, 403, 409), signed_in=True,
       location=True),
    Op("GET", "/share-requests", "listShareRequests", TAG, "List sharing requests",
       "逾期未答复的在前，其余按时间倒序。Overdue open requests first, then the newest.",
       query=("box", "status", "resource", "page", "per_page"), answer="ShareRequestList", errors=(400, 403),
       signed_in=True),
    Op("GET", "/share-requests/{request_id}", "getShareRequest", TAG, "One sharing request, with its history",
       answer="ShareRequestRecord", errors=(400, 403, 404), signed_in=True),
    Op("POST", "/share-requests/{request_id}/answer", "answerShareRequest", TAG, "Grant or refuse a request",
       "提供方部门的审核人员；同意时可减少信息项或缩短期限，不同意须说明理由。By the provider's reviewer: a grant may "
       "give fewer items or a shorter period; a refusal gives its reason. 409 when it is answered already, the "
       "period asked for has ended, or the resource was withdrawn.",
       headers=("If-Match",), body="ShareAnswer", answer="ShareRequestRecord", errors=(*BODY, 403, 404, 409),
       signed_in=True),
    Op("POST", "/share-requests/{request_id}/revoke", "revokeShareGrant", TAG, "Revoke a grant, with a reason",
       "提供方部门的审核人员或目录管理中心。By the provider's reviewer or the centre. 409 unless the grant is in force.",
       headers=("If-Match",), body="ShareRevoke", answer="ShareRequestRecord", errors=(*BODY, 403, 404, 409),
       signed_in=True),
)
API_PART = ApiPart(SCHEMAS, DESCRIPTIONS, OPERATIONS, PARAMETERS)
bp.record_once(lambda state: add_api_part(state.app, API_PART))
