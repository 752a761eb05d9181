"""Overdue requests are flagged to both departments and the centre; notifications inside the catalog and by e-mail."""
from __future__ import annotations

import asyncio
import socket
import time
from email import message_from_bytes, policy

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from registry.accounts.models import User
from registry.audit.models import AuditEvent
from registry.sharing.models import Notification, ShareRequest
from registry.sharing.services import flag_overdue
from tests.registry.sharing.conftest import in_days, request_body

API = "/api/v1/share-requests"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A local SMTP server (aiosmtpd) keeping what it receives; yields (port, messages)."""
    from aiosmtpd.controller import Controller

    received = []

    class Keep:
        async def handle_DATA(self, server, session, envelope):
            received.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
            return "250 OK"

    port = _free_port()
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, received
    controller.stop()


def _with_mail(app, db, port: int):
    app.config.update(GOVCAT_SMTP_HOST="127.0.0.1", GOVCAT_SMTP_PORT=port, GOVCAT_SMTP_FROM="catalog@example.gov.cn")
    with db.transaction() as session:
        for user in session.scalars(select(User)):
            user.email = f"{user.username}@example.gov.cn"


def _told(db) -> dict[str, list[str]]:
    with db.transaction() as session:
        rows = session.execute(select(User.username, Notification.kind).join(User, User.id == Notification.user_id))
        told: dict[str, list[str]] = {}
        for username, kind in rows:
            told.setdefault(username, []).append(kind)
        return told


def _overdue(client, db, world, resource_id: int) -> int:
    created = client.post(API, json=request_body(resource_id), headers=world.editor_a.headers).get_json()
    with db.transaction() as session:
        session.execute(update(ShareRequest).where(ShareRequest.id == created["id"])
                        .values(due_on=__import__("datetime").date.fromisoformat(in_days(-1))))
    return created["id"]


def test_a_new_conditional_request_tells_the_providers_reviewer(client, db, world, shared):
    client.post(API, json=request_body(shared["conditional"]), headers=world.editor_a.headers)
    client.post(API, json=request_body(shared["unconditional"]), headers=world.editor_a.headers)    # granted at once
    assert _told(db) == {"reviewer_b": ["share_new"]}


def test_overdue_requests_are_flagged_once_to_both_departments_and_the_centre(app, client, db, world, shared):
    request_id = _overdue(client, db, world, shared["conditional"])
    with app.app_context(), db.transaction() as session:
        assert [r.id for r in flag_overdue(session)] == [request_id]
    with app.app_context(), db.transaction() as session:
        assert flag_overdue(session) == []                               # once only
    told = _told(db)
    for person in ("editor_a", "reviewer_a", "reviewer_b", "admin"):
        assert told[person].count("share_overdue") == 1, person
    assert "editor_b" not in told and "sysadmin" not in told
    with db.transaction() as session:
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == request_id,
                                                                       AuditEvent.entity_type == "share_request")))
    assert actions == ["share_request", "share_overdue"]


def test_the_command_line_flags_overdue_requests(app, client, db, world, shared, monkeypatch):
    request_id = _overdue(client, db, world, shared["conditional"])
    monkeypatch.setenv("GOVCAT_DATABASE_URL", app.config["GOVCAT_DATABASE_URL"])
    monkeypatch.setenv("GOVCAT_INSTANCE", app.config["GOVCAT_INSTANCE"])
    from registry.cli import main
    result = CliRunner().invoke(main, ["sharing", "flag-overdue"])
    assert result.exit_code == 0, result.output
    assert f"request {request_id}: overdue" in result.output


def test_the_worker_flags_overdue_requests_by_itself_and_mails_them(app, client, db, world, shared, smtp_server):
    from harvesters.cli import _overdue as worker_overdue
    from harvesters.scheduling import work

    port, received = smtp_server
    _with_mail(app, db, port)
    request_id = _overdue(client, db, world, shared["conditional"])
    received.clear()                                    # the new request's own mail to the provider
    lines = []
    work(db, lambda name: None, poll=0, once=True, echo=lines.append, also=lambda: worker_overdue(app))
    assert "sharing requests: 1 overdue, both departments and the centre told" in lines
    assert _told(db)["reviewer_b"].count("share_overdue") == 1
    deadline = time.monotonic() + 5
    while len(received) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(to for tos, _message in received for to in tos) == [
        f"{name}@example.gov.cn" for name in ("admin", "editor_a", "reviewer_a", "reviewer_b")]
    lines.clear()
    work(db, lambda name: None, poll=0, once=True, echo=lines.append, also=lambda: worker_overdue(app))
    assert not any("overdue" in line for line in lines)                  # once only
    with db.transaction() as session:
        assert session.get(ShareRequest, request_id).overdue_flagged_at is not None


def test_answers_and_notifications_reach_the_requester_by_e_mail(app, client, db, world, shared, smtp_server):
    port, received = smtp_server
    _with_mail(app, db, port)
    created = client.post(API, json=request_body(shared["conditional"]), headers=world.editor_a.headers).get_json()
    client.post(f"{API}/{created['id']}/answer", json={"decision": "refuse", "reason": "缺少法定依据。"},
                headers=world.reviewer_b.headers)
    deadline = time.monotonic() + 5
    while len(received) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [to for to, _mail in received] == [["reviewer_b@example.gov.cn"], ["editor_a@example.gov.cn"]]
    refusal = received[1][1]
    assert refusal["From"] == "catalog@example.gov.cn" and "缺少法定依据" in refusal.get_content()
    assert f"/sharing/requests/{created['id']}" in refusal.get_content()


def test_a_mail_server_that_is_down_costs_nothing_but_the_mail(app, client, db, world, shared):
    _with_mail(app, db, _free_port())      # nobody listens there
    response = client.post(API, json=request_body(shared["conditional"]), headers=world.editor_a.headers)
    assert response.status_code == 201
    assert _told(db) == {"reviewer_b": ["share_new"]}


def test_a_refused_request_tells_nobody_and_sends_nothing(app, client, db, world, shared, smtp_server):
    port, received = smtp_server
    _with_mail(app, db, port)
    bad = client.post(API, json=request_body(shared["conditional"], items=["无此项"]), headers=world.editor_a.headers)
    assert bad.status_code == 422
    time.sleep(0.2)
    assert received == [] and _told(db) == {}
