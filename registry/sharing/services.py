"""Sharing requests between departments: the rules of domain.md's "Sharing" section.

- A user of one department asks for a published resource of another: purpose, legal basis, the data
  items needed (from the resource's own), the period of use.
- Unconditional (无条件共享): granted at once, by the rules, and recorded.  Conditional (有条件共享): to
  the provider's reviewers, who grant (all the items or fewer, the period or a shorter one) or refuse
  with a reason, within 10 working days (:mod:`registry.sharing.workdays`).  Not shared (不予共享):
  refused at submission with the basis the provider recorded (the resource's ``share_basis``).
- A grant expires on its last day and can be revoked with a reason; overdue requests are flagged to
  both departments and the centre (:func:`flag_overdue`).  Every step is an audit event.

Services take the session and the acting user and raise before anything is written; the caller
commits.  ``now`` can be given (tests, the indicators of a past day); it defaults to the clock.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import current_app, has_app_context
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry.audit.services import events_for, record
from registry.db import utcnow
from registry.errors import BadRequest, Conflict, Forbidden, Invalid, NotFound
from registry.permissions import Action, can, departments_for, require, require_signed_in
from registry.resources.models import Resource
from registry.sharing import notifications as notes
from registry.sharing.models import ShareGrant, ShareRequest
from registry.sharing.schemas import ShareAnswerSchema, ShareRequestSchema, ShareRevokeSchema
from registry.sharing.workdays import Calendar, calendar_for, load_calendar, local_date

DEADLINE_WORKDAYS = 10
ENTITY = "share_request"
STATUSES = ("pending", "overdue", "granted", "expired", "refused", "revoked")
BOXES = ("all", "mine", "inbox", "outbox")


def calendar() -> Calendar:
    return calendar_for(current_app.config) if has_app_context() else load_calendar()


def _today(now: datetime | None) -> date:
    return local_date(now or utcnow())


def status_of(request: ShareRequest, today: date) -> str:
    """What a request is now: its state, or ``overdue`` (pending past its deadline), ``expired`` (a grant
    past its last day)."""
    if request.state == "pending" and request.due_on < today:
        return "overdue"
    if request.state == "granted" and request.grant is not None and request.grant.expires_on < today:
        return "expired"
    return request.state


def data_items(doc: dict) -> list[str]:
    return [item.get("name") for item in doc.get("data_items") or [] if isinstance(item, dict) and item.get("name")]


def _check_items(chosen: list[str], allowed: list[str], field: str, *, of_what: tuple[str, str]) -> list[str]:
    if allowed and not chosen:
        raise Invalid(f"请选择所需的信息项（{of_what[0]}）。", f"Choose the data items needed ({of_what[1]}).", field)
    seen = set()
    for index, name in enumerate(chosen):
        if name not in allowed:
            raise Invalid(f"信息项“{name[:50]}”不在{of_what[0]}之中。",
                          f"The data item {name[:50]!r} is not among {of_what[1]}.", f"{field}.{index}")
        if name in seen:
            raise Invalid(f"信息项“{name[:50]}”重复。", f"The data item {name[:50]!r} is listed twice.", f"{field}.{index}")
        seen.add(name)
    return chosen


# --------------------------------------------------------------------------------------------
# Requesting.
# --------------------------------------------------------------------------------------------

def create_request(session: Session, actor, data: dict, *, now: datetime | None = None) -> ShareRequest:
    require_signed_in(actor)
    if getattr(actor, "department_id", None) is None or not can(actor, Action.SHARE_REQUEST, actor.department_id):
        raise Forbidden("只有部门工作人员可以为本部门申请共享。",
                        "Only a department's staff request resources, for their own department.")
    body = ShareRequestSchema().load(data)
    now = now or utcnow()
    today = local_date(now)
    resource = session.get(Resource, body["resource"])
    if resource is None:
        raise Invalid("没有此编号的信息资源。", "No resource has this id.", "resource")
    doc = resource.public_doc
    if not resource.is_public or doc is None:
        raise Conflict("该信息资源未发布或已撤销，不能申请共享。",
                       "The resource is not published (or has been withdrawn); it cannot be requested.", "resource")
    if resource.department_id == actor.department_id:
        raise Invalid("这是本部门的信息资源，无需申请。", "Your own department provides this resource.", "resource")
    start, end = body.get("period_start") or today, body["period_end"]
    if start < today:
        raise Invalid("使用期限不能从过去开始。", "The period of use cannot start in the past.", "period_start")
    if end < today:
        raise Invalid("使用期限已经结束。", "The period of use ends in the past.", "period_end")
    if end < start:
        raise Invalid("使用期限的结束早于开始。", "The period of use ends before it starts.", "period_end")
    items = _check_items(body.get("items") or [], data_items(doc), "items",
                         of_what=("该资源的信息项", "the resource's data items"))
    open_one = session.scalar(select(ShareRequest.id).where(
        ShareRequest.requester_department_id == actor.department_id, ShareRequest.resource_id == resource.id,
        ShareRequest.state == "pending"))
    if open_one is not None:
        raise _duplicate(open_one)
    share_type = doc.get("share_type") or "conditional"
    request = ShareRequest(
        resource_id=resource.id, provider_department_id=resource.department_id, requester_id=actor.id,
        requester_department_id=actor.department_id, share_type=share_type, purpose=body["purpose"],
        legal_basis=body["legal_basis"], items=items, period_start=start, period_end=end, state="pending",
        created_at=now, due_on=calendar().add_workdays(today, DEADLINE_WORKDAYS), version=1)
    session.add(request)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:      # another request of the department for the resource came in at the same time
        raise _duplicate(None) from None
    record(session, actor, entity_type=ENTITY, entity_id=request.id, action="share_request",
           department_id=request.provider_department_id, to_state="pending",
           comment=body["purpose"], changes=[{"field": "request", "old": None, "new": _summary(request)}])
    if share_type == "unconditional":
        _grant(session, None, request, items, end, now, note="无条件共享，依规则自动同意。Unconditional: granted by the rules.")
    elif share_type == "none":
        basis = (doc.get("share_basis") or "").strip() or "提供方未登记依据。The provider recorded no basis."
        _refuse(session, None, request, basis, now)
    else:
        notes.notify(session, notes.people(session, department_id=request.provider_department_id), "share_new",
                     request.id, f"{request.requester_department.name} 申请共享“{resource.title}”，请于 "
                     f"{request.due_on.isoformat()} 前答复。",
                     f"{request.requester_department.name_en or request.requester_department.name} requests "
                     f"“{resource.title}”; answer by {request.due_on.isoformat()}.", link=f"/sharing/requests/{request.id}")
    return request


def _duplicate(open_id: int | None) -> Conflict:
    where = f"（申请编号 {open_id}）" if open_id else ""
    return Conflict(f"本部门已有对该资源的未答复申请{where}，请等待答复。",
                    "Your department has an open request for this resource"
                    f"{f' (request {open_id})' if open_id else ''}; wait for its answer.", "resource")


def _summary(request: ShareRequest) -> dict:
    return {"resource": request.resource_id, "items": list(request.items), "legal_basis": request.legal_basis,
            "period": [request.period_start.isoformat(), request.period_end.isoformat()],
            "due_on": request.due_on.isoformat(), "share_type": request.share_type}


def _grant(session: Session, actor, request: ShareRequest, items: list[str], expires_on: date, now: datetime,
           note: str | None) -> None:
    request.state, request.answered_at, request.answered_by_id = "granted", now, getattr(actor, "id", None)
    request.answer_reason, request.version = note, request.version + 1
    grant = ShareGrant(request_id=request.id, items=list(items), starts_on=request.period_start, expires_on=expires_on,
                       granted_at=now, granted_by_id=getattr(actor, "id", None))
    session.add(grant)
    request.grant = grant
    session.expire(request, ["answered_by"])      # read again, for the answer, from answered_by_id
    record(session, actor, entity_type=ENTITY, entity_id=request.id, action="share_grant",
           department_id=request.provider_department_id, from_state="pending", to_state="granted", comment=note,
           changes=[{"field": "grant", "old": None, "new": {"items": list(items), "starts_on": request.period_start.isoformat(),
                                                          "expires_on": expires_on.isoformat()}}])


def _refuse(session: Session, actor, request: ShareRequest, reason: str, now: datetime) -> None:
    request.state, request.answered_at, request.answered_by_id = "refused", now, getattr(actor, "id", None)
    request.answer_reason, request.version = reason, request.version + 1
    session.expire(request, ["answered_by"])
    record(session, actor, entity_type=ENTITY, entity_id=request.id, action="share_refuse",
           department_id=request.provider_department_id, from_state="pending", to_state="refused", comment=reason)


# --------------------------------------------------------------------------------------------
# Answering and revoking.
# --------------------------------------------------------------------------------------------

def _locked(session: Session, request_id: int) -> ShareRequest:
    query = select(ShareRequest).where(ShareRequest.id == request_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=ShareRequest)
    request = session.scalar(query)
    if request is None:
        raise NotFound("没有此共享申请。", "No such sharing request.")
    return request


def _check_version(request: ShareRequest, expected: int | None) -> None:
    if expected is not None and expected != request.version:
        raise Conflict("申请已被他人更改，请刷新后重试。",
                       f"The request changed meanwhile (version {request.version}, you read {expected}); "
                       "read it again.", "version")


def _provider_acts(session: Session, actor, request_id: int, action: Action) -> ShareRequest:
    """The request, locked, once ``actor`` may see it and do ``action`` for its provider department."""
    require_signed_in(actor)
    request = _locked(session, request_id)
    _require_visible(actor, request)
    require(actor, action, request.provider_department_id)
    return request


def answer_request(session: Session, actor, request_id: int, data: dict, *, expected_version: int | None = None,
                   now: datetime | None = None) -> ShareRequest:
    request = _provider_acts(session, actor, request_id, Action.SHARE_ANSWER)
    body = ShareAnswerSchema().load(data)
    version = body.get("version", expected_version)
    _check_version(request, version)
    now = now or utcnow()
    today = local_date(now)
    if request.state != "pending":
        raise Conflict(f"该申请已答复（{request.state}），不能再次答复。",
                       f"The request is answered already ({request.state}).", "decision")
    reason = body.get("reason") or ""
    if body["decision"] == "refuse":
        if not reason:
            raise Invalid("不同意时必须说明理由。", "A refusal must give its reason.", "reason")
        _refuse(session, actor, request, reason, now)
        told_zh, told_en = f"不同意：{reason}", f"refused: {reason}"
    else:
        if request.period_end < today:
            raise Conflict(f"所申请的使用期限已于 {request.period_end.isoformat()} 结束，不能再同意；请答复不同意，"
                           "或由申请方重新申请。", f"The period of use asked for ended on {request.period_end.isoformat()}; "
                           "it can no longer be granted — refuse it, or the requester asks again.", "decision")
        resource = session.get(Resource, request.resource_id)
        if resource is None or not resource.is_public:
            raise Conflict("该信息资源已撤销，不能同意共享；请答复不同意。",
                           "The resource has been withdrawn; it cannot be granted — refuse the request.", "decision")
        items = body.get("items")
        items = list(request.items) if items is None else _check_items(
            items, list(request.items), "items", of_what=("所申请的信息项", "the items asked for"))
        expires_on = body.get("expires_on") or request.period_end
        if expires_on > request.period_end:
            raise Invalid("授权期限不能超过所申请的使用期限。", "A grant cannot last beyond the period asked for.",
                          "expires_on")
        if expires_on < max(today, request.period_start):
            raise Invalid("授权到期日不能早于今天或使用期限的开始。",
                          "A grant cannot end before today or before the period starts.", "expires_on")
        _grant(session, actor, request, items, expires_on, now, reason or None)
        told_zh, told_en = f"同意，有效期至 {expires_on.isoformat()}", f"granted until {expires_on.isoformat()}"
    notes.notify(session, [request.requester], f"share_{body['decision']}", request.id,
                 f"您对“{request.resource.title}”的共享申请：{told_zh}。",
                 f"Your request for “{request.resource.title}”: {told_en}.", link=f"/sharing/requests/{request.id}")
    return request


def revoke_grant(session: Session, actor, request_id: int, data: dict, *, expected_version: int | None = None,
                 now: datetime | None = None) -> ShareRequest:
    request = _provider_acts(session, actor, request_id, Action.SHARE_REVOKE)
    body = ShareRevokeSchema().load(data)
    _check_version(request, body.get("version", expected_version))
    now = now or utcnow()
    status = status_of(request, local_date(now))
    if status != "granted":
        raise Conflict(f"只能撤销有效的授权（此申请为 {status}）。",
                       f"Only a grant in force can be revoked; this request is {status}.", "reason")
    grant = request.grant
    grant.revoked_at, grant.revoked_by_id, grant.revoke_reason = now, actor.id, body["reason"]
    request.state, request.version = "revoked", request.version + 1
    record(session, actor, entity_type=ENTITY, entity_id=request.id, action="share_revoke",
           department_id=request.provider_department_id, from_state="granted", to_state="revoked", comment=body["reason"])
    notes.notify(session, [request.requester], "share_revoke", request.id,
                 f"“{request.resource.title}”的共享授权已被撤销：{body['reason']}",
                 f"The grant for “{request.resource.title}” was revoked: {body['reason']}",
                 link=f"/sharing/requests/{request.id}")
    return request


def flag_overdue(session: Session, *, now: datetime | None = None) -> list[ShareRequest]:
    """Flag each pending request past its deadline, once: to the requester's department (the requester and
    its reviewers), the provider's reviewers and the centre; an audit event each."""
    now = now or utcnow()
    today = local_date(now)
    found = list(session.scalars(select(ShareRequest).where(
        ShareRequest.state == "pending", ShareRequest.due_on < today, ShareRequest.overdue_flagged_at.is_(None))
        .order_by(ShareRequest.id)))
    centre = notes.people(session, roles=("admin",))
    for request in found:
        request.overdue_flagged_at = now
        record(session, None, entity_type=ENTITY, entity_id=request.id, action="share_overdue",
               department_id=request.provider_department_id, from_state="pending", to_state="pending",
               comment=f"due {request.due_on.isoformat()}")
        title = request.resource.title
        recipients = [request.requester, *notes.people(session, department_id=request.requester_department_id),
                      *notes.people(session, department_id=request.provider_department_id), *centre]
        notes.notify(session, recipients, "share_overdue", request.id,
                     f"共享申请逾期未答复：{request.requester_department.name} 申请“{title}”（{request.provider_department.name}），"
                     f"答复期限 {request.due_on.isoformat()}。",
                     f"Sharing request overdue: {request.requester_department.name} asked for “{title}” "
                     f"({request.provider_department.name}); the answer was due on {request.due_on.isoformat()}.",
                     link=f"/sharing/requests/{request.id}")
    return found


# --------------------------------------------------------------------------------------------
# Reading.
# --------------------------------------------------------------------------------------------

def _visible_condition(actor):
    """Which requests ``actor`` sees: ``None`` all, else a condition (the departments on either side)."""
    departments = departments_for(actor, Action.SHARE_READ)
    if departments is None:
        return None
    return or_(ShareRequest.requester_department_id.in_(departments),
               ShareRequest.provider_department_id.in_(departments))


def _require_visible(actor, request: ShareRequest) -> None:
    require_signed_in(actor)
    if not (can(actor, Action.SHARE_READ, request.provider_department_id)
            or can(actor, Action.SHARE_READ, request.requester_department_id)):
        raise Forbidden("无权查看此共享申请。", "You may not see this sharing request.")


def get_request(session: Session, actor, request_id: int) -> ShareRequest:
    require_signed_in(actor)
    request = session.get(ShareRequest, request_id)
    if request is None:
        raise NotFound("没有此共享申请。", "No such sharing request.")
    _require_visible(actor, request)
    return request


def request_history(session: Session, request: ShareRequest):
    return events_for(session, ENTITY, request.id)


def list_requests(session: Session, actor, *, box: str = "all", status: str | None = None,
                  resource_id: int | None = None, page: int = 1, per_page: int = 50,
                  now: datetime | None = None) -> tuple[list[ShareRequest], int]:
    """The requests ``actor`` sees in ``box``, open overdue ones first (oldest deadline first), then newest."""
    require_signed_in(actor)
    if box not in BOXES:
        raise BadRequest("box 应为 all、mine、inbox 或 outbox。", f"box is one of {', '.join(BOXES)}.", "box")
    if status is not None and status not in STATUSES:
        raise BadRequest("status 无效。", f"status is one of {', '.join(STATUSES)}.", "status")
    departments = departments_for(actor, Action.SHARE_READ)
    if departments == set():
        raise Forbidden("无权查看共享申请。", "Your role sees no sharing requests.")
    today = _today(now)
    query = select(ShareRequest)
    visible = _visible_condition(actor)
    if visible is not None:
        query = query.where(visible)
    own = actor.department_id
    if box == "mine":
        query = query.where(ShareRequest.requester_id == actor.id)
    elif box in ("inbox", "outbox"):
        if own is None:
            raise BadRequest("收件箱与发件箱属于部门；目录管理中心请用 box=all。",
                             "Inboxes and outboxes are departments'; the centre uses box=all.", "box")
        column = ShareRequest.provider_department_id if box == "inbox" else ShareRequest.requester_department_id
        query = query.where(column == own)
    if resource_id is not None:
        query = query.where(ShareRequest.resource_id == resource_id)
    if status is not None:
        query = query.where(_status_condition(status, today))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    overdue = and_(ShareRequest.state == "pending", ShareRequest.due_on < today)
    rows = session.scalars(query.order_by(case((overdue, 0), else_=1), case((overdue, ShareRequest.due_on)),
                                          ShareRequest.created_at.desc(), ShareRequest.id.desc())
                           .limit(per_page).offset((page - 1) * per_page)).unique()
    return list(rows), total


def _status_condition(status: str, today: date):
    live_grant = select(ShareGrant.request_id).where(ShareGrant.expires_on >= today)
    return {
        "pending": and_(ShareRequest.state == "pending", ShareRequest.due_on >= today),
        "overdue": and_(ShareRequest.state == "pending", ShareRequest.due_on < today),
        "granted": and_(ShareRequest.state == "granted", ShareRequest.id.in_(live_grant)),
        "expired": and_(ShareRequest.state == "granted", ShareRequest.id.not_in(live_grant)),
        "refused": ShareRequest.state == "refused",
        "revoked": ShareRequest.state == "revoked",
    }[status]


def may_answer(actor, request: ShareRequest) -> bool:
    return request.state == "pending" and can(actor, Action.SHARE_ANSWER, request.provider_department_id)


def may_revoke(actor, request: ShareRequest, today: date) -> bool:
    return status_of(request, today) == "granted" and can(actor, Action.SHARE_REVOKE, request.provider_department_id)


def may_request(actor, resource: Resource) -> bool:
    """Whether to offer ``actor`` the request button on ``resource``'s page."""
    return (actor is not None and getattr(actor, "department_id", None) is not None
            and actor.department_id != resource.department_id and resource.is_public
            and can(actor, Action.SHARE_REQUEST, actor.department_id))


def _department(department) -> dict:
    return {"credit_code": department.credit_code, "name": department.name, "name_en": department.name_en}


def _user(user) -> str | None:
    return user.username if user is not None else None


def request_representation(request: ShareRequest, *, now: datetime | None = None) -> dict:
    today = _today(now)
    grant = request.grant
    return {
        "id": request.id,
        "resource": {"id": request.resource_id, "code": request.resource.code, "title": request.resource.title},
        "provider": _department(request.provider_department),
        "requester": {"username": request.requester.username, "department": _department(request.requester_department)},
        "share_type": request.share_type, "purpose": request.purpose, "legal_basis": request.legal_basis,
        "items": list(request.items), "period_start": request.period_start.isoformat(),
        "period_end": request.period_end.isoformat(), "state": request.state, "status": status_of(request, today),
        "overdue": request.state == "pending" and request.due_on < today,
        "created_at": request.created_at.isoformat(), "due_on": request.due_on.isoformat(),
        "answered_at": request.answered_at.isoformat() if request.answered_at else None,
        "answered_by": _user(request.answered_by) if request.answered_by_id else (
            "system" if request.answered_at else None),
        "answer_reason": request.answer_reason,
        "grant": None if grant is None else {
            "items": list(grant.items), "starts_on": grant.starts_on.isoformat(),
            "expires_on": grant.expires_on.isoformat(), "granted_at": grant.granted_at.isoformat(),
            "revoked_at": grant.revoked_at.isoformat() if grant.revoked_at else None,
            "revoke_reason": grant.revoke_reason},
        "version": request.version,
    }
