"""The audit trail is append-only, on every engine, and its diffs name each changed field."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DatabaseError

from registry.audit.models import AuditEvent
from registry.audit.services import diff_documents


def test_database_refuses_to_rewrite_history(db, world):
    with db.reader() as session:
        before = session.query(AuditEvent).count()
    assert before > 0
    for statement in (update(AuditEvent).values(comment="rewritten"), delete(AuditEvent)):
        with pytest.raises(DatabaseError):
            with db.transaction() as session:
                session.execute(statement)
    with db.reader() as session:
        assert session.query(AuditEvent).count() == before
        assert session.execute(text("select count(*) from audit_events where comment = 'rewritten'")).scalar() == 0


def test_diff_names_nested_fields():
    old = {"title": "a", "contact_point": {"name": "x", "email": "a@b.cn"}, "keywords": ["1"]}
    new = {"title": "a", "contact_point": {"name": "y"}, "keywords": ["1", "2"], "spatial": "330000"}
    assert diff_documents(old, new) == [
        {"field": "contact_point.email", "old": "a@b.cn", "new": None},
        {"field": "contact_point.name", "old": "x", "new": "y"},
        {"field": "keywords", "old": ["1"], "new": ["1", "2"]},
        {"field": "spatial", "old": None, "new": "330000"},
    ]


def test_department_history_lists_its_events(client, world):
    client.post("/api/v1/resources", json={"title": "x"}, headers=world.editor_a.headers)  # refused: not recorded
    from tests.factories import ResourceDataFactory
    client.post("/api/v1/resources", json=ResourceDataFactory(), headers=world.editor_a.headers)
    url = f"/api/v1/departments/{world.dept_a.credit_code}/history"
    events = client.get(url, headers=world.reviewer_a.headers).get_json()["items"]
    assert [(e["entity"]["type"], e["action"]) for e in events[:1]] == [("resource", "create")]
    assert client.get(url, headers=world.editor_b.headers).status_code == 403
    assert client.get(url).status_code == 401
