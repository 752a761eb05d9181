"""The sharing pages: the request button, the form, inbox and outbox, answering, the centre's overview,
notifications with their count in the header."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import update

from registry.sharing.models import ShareRequest
from tests.conftest import form_token, sign_in, sign_out
from tests.registry.sharing.conftest import ITEMS, in_days

BROWSER = {"Accept": "text/html"}
PASSWORD = "correct horse battery"


def page(client, path: str) -> str:
    response = client.get(path, headers=BROWSER)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def request_form(client, resource_id: int, **overrides):
    data = {"csrf_token": form_token(client, f"/sharing/new?resource={resource_id}"), "resource": str(resource_id),
            "purpose": "不动产登记核验。", "legal_basis": "《不动产登记暂行条例》。", "items": ITEMS[:3],
            "period_end": in_days(180), **overrides}
    return client.post("/sharing/new", data=data, headers=BROWSER)


def test_the_request_button_is_for_signed_in_staff_of_other_departments(client, world, shared):
    path = f"/resources/{shared['conditional']}"
    assert "/sharing/new?resource=" not in page(client, path)
    for person, shown in (("editor_b", False), ("admin", False), ("sysadmin", False), ("editor_a", True),
                          ("reviewer_a", True)):
        sign_in(client, person, PASSWORD)
        assert (f'href="/sharing/new?resource={shared["conditional"]}"' in page(client, path)) is shown, person
        sign_out(client)


def test_a_conditional_request_from_form_to_grant(client, world, shared):
    sign_in(client, "editor_a", PASSWORD)
    form = page(client, f"/sharing/new?resource={shared['conditional']}")
    assert form.count("<h1") == 1 and all(f'value="{name}"' in form for name in ITEMS)
    assert '<label for="purpose">' in form and '<label for="period_end">' in form
    sent = request_form(client, shared["conditional"])
    assert sent.status_code == 302
    request_path = sent.headers["Location"]
    shown = page(client, request_path)
    assert 'data-status="pending"' in shown and "不动产登记核验" in shown and 'value="grant"' not in shown
    assert "/sharing/requests/" in page(client, "/sharing/outbox")
    sign_out(client)

    sign_in(client, "reviewer_b", PASSWORD)
    assert 'data-unread="1"' in page(client, "/")                              # the header's count
    inbox = page(client, "/sharing/inbox")
    assert request_path in inbox and "测试部门" in inbox
    answer = page(client, request_path)
    version = re.search(r'name="version" value="(\d+)"', answer).group(1)
    granted = client.post(request_path, headers=BROWSER, data={
        "csrf_token": form_token(client, request_path), "action": "grant", "version": version,
        "items": ITEMS[:2], "expires_on": in_days(90), "reason": ""})
    assert granted.status_code == 302
    done = page(client, request_path)
    assert 'data-status="granted"' in done and in_days(90) in done and ITEMS[2] not in done.split("data-grant")[1][:200]
    assert 'value="revoke"' in done
    sign_out(client)

    sign_in(client, "editor_a", PASSWORD)
    notes = page(client, "/notifications")
    assert 'data-kind="share_grant"' in notes and in_days(90) in notes
    client.post("/notifications", data={"csrf_token": form_token(client, "/notifications")}, headers=BROWSER)
    assert 'data-unread="0"' in page(client, "/notifications")


def test_mistakes_come_back_beside_their_inputs_and_nothing_is_stored(client, db, world, shared):
    sign_in(client, "editor_a", PASSWORD)
    response = request_form(client, shared["conditional"], items=["别的"], period_end=in_days(-1))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'id="items-error"' in text or 'id="period_end-error"' in text
    assert "不动产登记核验" in text                                          # what was typed is kept
    with db.transaction() as session:
        assert session.query(ShareRequest).count() == 0
    assert request_form(client, shared["conditional"]).status_code == 302
    duplicate = request_form(client, shared["conditional"])
    assert duplicate.status_code == 409 and "未答复" in duplicate.get_data(as_text=True)


def test_a_refusal_without_reason_is_refused_and_with_one_is_shown(client, world, shared):
    sign_in(client, "editor_a", PASSWORD)
    path = request_form(client, shared["conditional"]).headers["Location"]
    sign_out(client)
    sign_in(client, "reviewer_b", PASSWORD)
    token = form_token(client, path)
    missing = client.post(path, headers=BROWSER, data={"csrf_token": token, "action": "refuse", "reason": " "})
    assert missing.status_code == 422 and "必须说明理由" in missing.get_data(as_text=True)
    client.post(path, headers=BROWSER, data={"csrf_token": token, "action": "refuse", "reason": "不符合共享条件。"})
    shown = page(client, path)
    assert 'data-status="refused"' in shown and "不符合共享条件" in shown


def test_the_centre_sees_overdue_requests_first_and_others_cannot(client, db, world, shared):
    sign_in(client, "editor_a", PASSWORD)
    late = request_form(client, shared["conditional"]).headers["Location"]
    request_form(client, shared["unconditional"])
    sign_out(client)
    with db.transaction() as session:
        session.execute(update(ShareRequest).where(ShareRequest.id == int(late.rsplit("/", 1)[1]))
                        .values(due_on=date.fromisoformat(in_days(-3))))
    sign_in(client, "admin", PASSWORD)
    overview = page(client, "/sharing/overview")
    rows = re.findall(r'data-status="(\w+)"', overview)
    assert rows == ["overdue", "granted"] and 'class="overdue"' in overview
    assert re.findall(r'data-status="(\w+)"', page(client, "/sharing/overview?status=overdue")) == ["overdue"]
    sign_out(client)
    for person in ("editor_a", "reviewer_b"):          # both departments see it overdue in their boxes
        sign_in(client, person, PASSWORD)
        box = "outbox" if person == "editor_a" else "inbox"
        assert re.findall(r'data-status="(\w+)"', page(client, f"/sharing/{box}"))[0] == "overdue"
        sign_out(client)


def test_english_pages(client, world, shared):
    sign_in(client, "editor_a", PASSWORD)
    request_form(client, shared["conditional"])
    text = page(client, "/sharing/outbox?lang=en")
    assert "Sharing requests of my department" in text and "Waiting for an answer" in text
