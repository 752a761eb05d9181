"""Writing and reading the audit trail (see :mod:`registry.audit.models`)."""
from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from registry.audit.models import AuditEvent
from registry.db import utcnow

_MISSING = object()


def diff_documents(old: dict | None, new: dict | None, prefix: str = "") -> list[dict]:
    """Field-level differences between two JSON documents, as ``[{field, old, new}]``.

    Objects are compared key by key with dotted paths; lists and scalars as wholes.
    """
    if not old:
        return _created(new or {}, prefix)
    new = new or {}
    changes = []
    for key in sorted(set(old) | set(new), key=str):
        path = f"{prefix}{key}"
        before, after = old.get(key, _MISSING), new.get(key, _MISSING)
        if before == after:
            continue
        if isinstance(before, dict) and isinstance(after, dict):
            changes.extend(diff_documents(before, after, path + "."))
            continue
        changes.append({"field": path,
                        "old": None if before is _MISSING else before,
                        "new": None if after is _MISSING else after})
    return changes


def _created(new: dict, prefix: str) -> list[dict]:
    """:func:`diff_documents` from nothing (a resource created): each field, from none to its value."""
    return [{"field": f"{prefix}{key}", "old": None, "new": new[key]} for key in sorted(new, key=str)]


def record(session: Session, actor, *, entity_type: str, entity_id: int, action: str,
           department_id: int | None = None, from_state: str | None = None, to_state: str | None = None,
           comment: str | None = None, changes: list | None = None) -> None:
    """Append one event; ``actor`` is a user or ``None`` for the system itself."""
    record_many(session, actor, [{
        "entity_type": entity_type, "entity_id": entity_id, "department_id": department_id, "action": action,
        "from_state": from_state, "to_state": to_state, "comment": comment, "changes": changes}])


def record_many(session: Session, actor, events: list[dict]) -> None:
    """Append events (dicts of :class:`AuditEvent` columns) by one actor, in one batched statement."""
    if not events:
        return
    who = {"actor_id": getattr(actor, "id", None), "actor_name": getattr(actor, "username", None) or "system",
           "at": utcnow()}
    session.execute(insert(AuditEvent), [{"from_state": None, "to_state": None, "comment": None,
                                          "department_id": None, **event, **who,
                                          "changes": event.get("changes") or None} for event in events])


def events_for(session: Session, entity_type: str, entity_id: int) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id).order_by(AuditEvent.id)))


def events_for_department(session: Session, department_id: int, *, limit: int = 100,
                          before_id: int | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.department_id == department_id)
    if before_id:
        query = query.where(AuditEvent.id < before_id)
    return list(session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))


def event_representation(event: AuditEvent) -> dict:
    return {
        "id": event.id, "at": event.at.isoformat(), "actor": event.actor_name,
        "entity": {"type": event.entity_type, "id": event.entity_id}, "action": event.action,
        "from_state": event.from_state, "to_state": event.to_state, "comment": event.comment,
        "changes": event.changes or [],
    }
