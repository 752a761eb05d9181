"""The sharing-request API: the three routes a request takes, answers, revocation, and every bad input."""
from __future__ import annotations

from sqlalchemy import select, update

from registry.sharing.models import ShareRequest
from tests.registry.sharing.conftest import ITEMS, in_days, request_body

API = "/api/v1/share-requests"


def post(client, person, path, body):
    return client.post(path, json=body, headers=person.headers)


def test_an_unconditional_resource_is_granted_at_once_and_recorded(client, world, shared):
    response = post(client, world.editor_a, API, request_body(shared["unconditional"]))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["state"] == "granted" and body["answered_by"] == "system"
    assert body["grant"]["items"] == ITEMS[:2] and body["grant"]["expires_on"] == body["period_end"]
    assert response.headers["Location"].endswith(f"{API}/{body['id']}")
    shown = client.get(f"{API}/{body['id']}", headers=world.editor_a.headers).get_json()
    assert [e["action"] for e in shown["history"]] == ["share_request", "share_grant"]


def test_a_resource_not_shared_is_refused_with_the_providers_basis(client, world, shared):
    body = post(client, world.editor_a, API, request_body(shared["none"])).get_json()
    assert body["state"] == "refused" and body["answer_reason"] == "《政府信息公开条例》第十四条。"
    assert body["grant"] is None


def test_a_conditional_request_goes_to_the_providers_reviewer(client, world, shared):
    created = post(client, world.editor_a, API, request_body(shared["conditional"])).get_json()
    assert created["state"] == "pending" and created["due_on"] > created["created_at"][:10]
    inbox = client.get(f"{API}?box=inbox", headers=world.reviewer_b.headers).get_json()
    assert [r["id"] for r in inbox["items"]] == [created["id"]]
    assert client.get(f"{API}?box=outbox", headers=world.reviewer_a.headers).get_json()["total"] == 1
    assert client.get(f"{API}?box=inbox", headers=world.reviewer_a.headers).get_json()["total"] == 0
    # Fewer items and a shorter period than asked for.
    answer = post(client, world.reviewer_b, f"{API}/{created['id']}/answer",
                  {"decision": "grant", "items": [ITEMS[0]], "expires_on": in_days(30), "version": created["version"]})
    assert answer.status_code == 200, answer.get_json()
    granted = answer.get_json()
    assert granted["state"] == "granted" and granted["answered_by"] == "reviewer_b"
    assert granted["grant"]["items"] == [ITEMS[0]] and granted["grant"]["expires_on"] == in_days(30)
    again = post(client, world.reviewer_b, f"{API}/{created['id']}/answer", {"decision": "refuse", "reason": "再议"})
    assert again.status_code == 409
    # Revoked with a reason; then there is nothing left to revoke.
    revoked = post(client, world.reviewer_b, f"{API}/{created['id']}/revoke", {"reason": "用途超出申请范围。"})
    assert revoked.status_code == 200 and revoked.get_json()["status"] == "revoked"
    assert revoked.get_json()["grant"]["revoke_reason"] == "用途超出申请范围。"
    assert post(client, world.reviewer_b, f"{API}/{created['id']}/revoke", {"reason": "again"}).status_code == 409
    history = client.get(f"{API}/{created['id']}", headers=world.admin.headers).get_json()["history"]
    assert [e["action"] for e in history] == ["share_request", "share_grant", "share_revoke"]


def test_a_refusal_needs_its_reason(client, world, shared):
    created = post(client, world.editor_a, API, request_body(shared["conditional"])).get_json()
    response = post(client, world.reviewer_b, f"{API}/{created['id']}/answer", {"decision": "refuse"})
    assert response.status_code == 422 and response.get_json()["error"]["errors"][0]["field"] == "reason"
    refused = post(client, world.reviewer_b, f"{API}/{created['id']}/answer",
                   {"decision": "refuse", "reason": "涉及个人信息，需另行签订协议。"}).get_json()
    assert refused["state"] == "refused" and refused["answer_reason"] == "涉及个人信息，需另行签订协议。"


def test_who_may_request_answer_revoke_and_see(client, world, shared):
    rid = shared["conditional"]
    assert client.post(API, json=request_body(rid)).status_code == 401
    for person in (world.admin, world.sysadmin):            # no department: nobody to request for
        assert post(client, person, API, request_body(rid)).status_code == 403
    own = post(client, world.editor_b, API, request_body(rid))      # the provider's own staff
    assert own.status_code == 422 and own.get_json()["error"]["errors"][0]["field"] == "resource"
    created = post(client, world.editor_a, API, request_body(rid)).get_json()
    path = f"{API}/{created['id']}"
    for person in (world.editor_a, world.reviewer_a, world.editor_b, world.admin):   # the requester may not answer
        assert post(client, person, f"{path}/answer", {"decision": "grant"}).status_code == 403, person.user.username
    assert post(client, world.sysadmin, f"{path}/answer", {"decision": "grant"}).status_code == 403
    for person in (world.editor_a, world.reviewer_a, world.editor_b, world.reviewer_b, world.admin):
        assert client.get(path, headers=person.headers).status_code == 200
    assert client.get(path, headers=world.sysadmin.headers).status_code == 403
    assert client.get(path).status_code == 401
    assert client.get(API, headers=world.sysadmin.headers).status_code == 403
    assert post(client, world.reviewer_b, f"{path}/answer", {"decision": "grant"}).status_code == 200
    for person in (world.editor_a, world.reviewer_a, world.editor_b):
        assert post(client, person, f"{path}/revoke", {"reason": "x"}).status_code == 403
    assert post(client, world.admin, f"{path}/revoke", {"reason": "由目录管理中心撤销。"}).status_code == 200   # the centre


def test_a_third_department_sees_nothing(client, db, world, shared):
    from registry.accounts.services import create_token, create_user
    from registry.departments.services import create_department
    from tests.factories import DepartmentDataFactory
    created = post(client, world.editor_a, API, request_body(shared["conditional"])).get_json()
    with db.transaction() as session:
        dept_c = create_department(session, None, DepartmentDataFactory(), check_permission=False)
        user = create_user(session, None, {"username": "reviewer_c", "password": "correct horse battery",
                                           "role": "reviewer", "department": dept_c.credit_code}, check_permission=False)
        _token, secret = create_token(session, user, {"name": "t"})
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"{API}/{created['id']}", headers=headers).status_code == 403
    assert client.get(API, headers=headers).get_json()["total"] == 0
    assert client.post(f"{API}/{created['id']}/answer", json={"decision": "grant"}, headers=headers).status_code == 403


def test_a_duplicate_open_request_is_a_clear_409_and_nothing_is_lost(client, db, world, shared):
    first = post(client, world.editor_a, API, request_body(shared["conditional"])).get_json()
    second = post(client, world.reviewer_a, API, request_body(shared["conditional"]))
    assert second.status_code == 409
    error = second.get_json()["error"]
    assert str(first["id"]) in error["message"] and error["errors"][0]["field"] == "resource"
    with db.transaction() as session:
        assert session.scalar(select(ShareRequest.id).where(ShareRequest.resource_id == shared["conditional"])) == first["id"]
    # Once answered, the department may ask again.
    post(client, world.reviewer_b, f"{API}/{first['id']}/answer", {"decision": "refuse", "reason": "缺少依据。"})
    assert post(client, world.editor_a, API, request_body(shared["conditional"])).status_code == 201


def test_bad_requests_each_get_their_field(client, db, world, shared):
    rid = shared["conditional"]
    cases = [
        (request_body(rid, items=["不存在的信息项"]), 422, "items.0"),
        (request_body(rid, items=[ITEMS[0], ITEMS[0]]), 422, "items.1"),
        (request_body(rid, items=[]), 422, "items"),
        (request_body(rid, period_end=in_days(-1)), 422, "period_end"),
        (request_body(rid, period_start=in_days(-3)), 422, "period_start"),
        (request_body(rid, period_start=in_days(10), period_end=in_days(5)), 422, "period_end"),
        (request_body(rid, period_end="2026-02-30"), 422, "period_end"),
        (request_body(rid, purpose="  "), 422, "purpose"),
        (request_body(999999), 422, "resource"),
        (request_body(rid, surprise=1), 422, "surprise"),
    ]
    for body, status, field in cases:
        response = post(client, world.editor_a, API, body)
        assert response.status_code == status, (body, response.get_json())
        assert response.get_json()["error"]["errors"][0]["field"] == field, (body, response.get_json())
    with db.transaction() as session:
        assert session.scalar(select(ShareRequest.id)) is None


def test_a_withdrawn_resource_cannot_be_requested_nor_granted(client, world, shared):
    rid = shared["conditional"]
    created = post(client, world.editor_a, API, request_body(rid)).get_json()
    withdrawn = client.post(f"/api/v1/resources/{rid}/transitions", json={"transition": "withdraw"},
                            headers=world.reviewer_b.headers)
    assert withdrawn.status_code == 200, withdrawn.get_json()
    response = post(client, world.editor_a, API, request_body(shared["conditional"]))
    assert response.status_code in (409, 422)
    late = post(client, world.reviewer_b, f"{API}/{created['id']}/answer", {"decision": "grant"})
    assert late.status_code == 409 and "withdrawn" in late.get_json()["error"]["message"]
    refused = post(client, world.reviewer_b, f"{API}/{created['id']}/answer",
                   {"decision": "refuse", "reason": "资源已撤销。"})
    assert refused.status_code == 200
    fresh = post(client, world.editor_a, API, request_body(rid))
    assert fresh.status_code == 409 and fresh.get_json()["error"]["errors"][0]["field"] == "resource"


def test_an_answer_after_the_period_ended_cannot_grant(client, db, world, shared):
    created = post(client, world.editor_a, API, request_body(shared["conditional"], period_end=in_days(3))).get_json()
    with db.transaction() as session:    # the period ran out while nobody answered
        session.execute(update(ShareRequest).values(period_start=_day(-30), period_end=_day(-1)))
    response = post(client, world.reviewer_b, f"{API}/{created['id']}/answer", {"decision": "grant"})
    assert response.status_code == 409 and "ended" in response.get_json()["error"]["message"]
    assert post(client, world.reviewer_b, f"{API}/{created['id']}/answer",
                {"decision": "refuse", "reason": "期限已过。"}).status_code == 200


def test_a_grant_cannot_outlast_the_period_or_add_items(client, world, shared):
    created = post(client, world.editor_a, API, request_body(shared["conditional"], period_end=in_days(60))).get_json()
    path = f"{API}/{created['id']}/answer"
    for body, field in [({"decision": "grant", "expires_on": in_days(61)}, "expires_on"),
                        ({"decision": "grant", "expires_on": in_days(-1)}, "expires_on"),
                        ({"decision": "grant", "items": [ITEMS[3]]}, "items.0"),
                        ({"decision": "maybe"}, "decision")]:
        response = post(client, world.reviewer_b, path, body)
        assert response.status_code == 422 and response.get_json()["error"]["errors"][0]["field"] == field, body
    stale = post(client, world.reviewer_b, path, {"decision": "grant", "version": created["version"] + 5})
    assert stale.status_code == 409
    assert client.get(f"{API}/{created['id']}", headers=world.reviewer_b.headers).get_json()["state"] == "pending"


def test_an_expired_grant_is_shown_so_and_cannot_be_revoked(client, db, world, shared):
    created = post(client, world.editor_a, API, request_body(shared["unconditional"])).get_json()
    from registry.sharing.models import ShareGrant
    with db.transaction() as session:
        session.execute(update(ShareGrant).values(starts_on=_day(-60), expires_on=_day(-1)))
    shown = client.get(f"{API}/{created['id']}", headers=world.editor_a.headers).get_json()
    assert shown["status"] == "expired" and shown["state"] == "granted"
    assert client.get(f"{API}?status=expired", headers=world.editor_a.headers).get_json()["total"] == 1
    assert client.get(f"{API}?status=granted", headers=world.editor_a.headers).get_json()["total"] == 0
    assert post(client, world.reviewer_b, f"{API}/{created['id']}/revoke", {"reason": "x"}).status_code == 409


def test_lists_put_overdue_requests_first_and_filter(client, db, world, shared):
    old = post(client, world.editor_a, API, request_body(shared["conditional"])).get_json()
    new = post(client, world.editor_a, API, request_body(shared["unconditional"])).get_json()
    with db.transaction() as session:
        session.execute(update(ShareRequest).where(ShareRequest.id == old["id"]).values(due_on=_day(-2)))
    for person, box in ((world.admin, "all"), (world.reviewer_b, "inbox"), (world.editor_a, "outbox"),
                        (world.editor_a, "mine")):
        listing = client.get(f"{API}?box={box}", headers=person.headers).get_json()
        assert [r["id"] for r in listing["items"]] == [old["id"], new["id"]], box
        assert listing["items"][0]["overdue"] is True and listing["items"][0]["status"] == "overdue"
    assert [r["id"] for r in client.get(f"{API}?status=overdue", headers=world.admin.headers).get_json()["items"]] \
        == [old["id"]]
    assert client.get(f"{API}?box=mine", headers=world.reviewer_a.headers).get_json()["total"] == 0
    assert client.get(f"{API}?resource={shared['unconditional']}", headers=world.admin.headers).get_json()["total"] == 1
    for query in ("box=other", "status=lost", "resource=0", "per_page=0", "colour=red"):
        assert client.get(f"{API}?{query}", headers=world.admin.headers).status_code == 400, query
    assert client.get(f"{API}?box=inbox", headers=world.admin.headers).status_code == 400


def _day(offset: int):
    from datetime import date
    return date.fromisoformat(in_days(offset))


def test_answers_match_the_documented_shapes(app, client, world, shared):
    from registry.api.openapi import build_openapi
    from tests.registry.api.test_openapi import Contract
    contract = Contract(build_openapi(app))
    created = contract.check(post(client, world.editor_a, API, request_body(shared["conditional"])), 201, "post",
                             "/api/v1/share-requests")
    one = "/api/v1/share-requests/{request_id}"
    contract.check(client.get(f"{API}/{created['id']}", headers=world.reviewer_b.headers), 200, "get", one)
    contract.check(client.get(f"{API}?box=inbox", headers=world.reviewer_b.headers), 200, "get", "/api/v1/share-requests")
    contract.check(post(client, world.reviewer_b, f"{API}/{created['id']}/answer", {"decision": "grant"}), 200, "post",
                   one + "/answer")
    contract.check(post(client, world.reviewer_b, f"{API}/{created['id']}/revoke", {"reason": "到期前收回。"}), 200,
                   "post", one + "/revoke")
    contract.check(post(client, world.editor_a, API, request_body(shared["none"])), 201, "post", "/api/v1/share-requests")
