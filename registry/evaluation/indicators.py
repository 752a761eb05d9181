"""G's indicators: timeliness and openness of each department's published resources.

Both follow the indicator contract every evaluation provider keeps: ``name(session, now=None)``
answers ``{department id: {measure key: number or None}}``, None meaning "not measurable" (shown as
"—", never counted as 0).  A department with no published resource is absent from the answer.

They read what the public sees of a resource: its published version (``published_doc`` while a
revision is pending, else ``doc``) and its publication time ``published_at`` — the ``modified`` date the
catalog shows for the published version, which moves each time a new version of the resource is
published (by review or by a harvest that changed it).  Drafts and pending edits do not count as updates.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from vocab import enumerations as v
from registry.db import utcnow
from registry.resources.models import Resource


def _public_field(name: str):
    """A field of each resource's published version, read inside the database."""
    return func.coalesce(Resource.published_doc[name].as_string(), Resource.doc[name].as_string())


def overdue_after(frequency: str | None) -> timedelta | None:
    """How long a resource of ``frequency`` may go unpublished before it is overdue; None: not measurable
    (irregular, or a frequency the vocabulary does not know)."""
    days = v.FREQUENCY_DAYS.get(frequency or "")
    return timedelta(days=days) if days else None


def timeliness(session: Session, now: datetime | None = None) -> dict[int, dict[str, float | int | None]]:
    """Per department: ``resources_with_frequency`` (published resources with a measurable frequency),
    ``overdue_resources`` (of them, last published longer ago than their frequency allows) and
    ``timely_share`` (the share not overdue, 0..1; None when no resource has a measurable frequency)."""
    now = now or utcnow()
    measured: dict[int, int] = defaultdict(int)
    overdue: dict[int, int] = defaultdict(int)
    rows = session.execute(select(Resource.department_id, _public_field("update_frequency"), Resource.published_at)
                           .where(Resource.is_public.is_(True)))
    departments = set()
    for department_id, frequency, published_at in rows:
        departments.add(department_id)
        allowed = overdue_after(frequency)
        if allowed is None or published_at is None:
            continue
        measured[department_id] += 1
        if now - published_at > allowed:
            overdue[department_id] += 1
    return {d: {"resources_with_frequency": measured[d], "overdue_resources": overdue[d],
                "timely_share": (1 - overdue[d] / measured[d]) if measured[d] else None}
            for d in departments}


def openness(session: Session, now: datetime | None = None) -> dict[int, dict[str, float | int | None]]:
    """Per department: ``resources`` (published) and ``unconditional_share`` (the share of them shared
    unconditionally, 无条件共享, 0..1).  ``now`` is unused: sharing types have no age."""
    unconditional = (_public_field("share_type") == "unconditional")
    rows = session.execute(select(Resource.department_id, func.count(Resource.id),
                                  func.sum(case((unconditional, 1), else_=0)))
                           .where(Resource.is_public.is_(True)).group_by(Resource.department_id))
    return {d: {"resources": total, "unconditional_share": (shared or 0) / total}
            for d, total, shared in rows if total}
