"""Responsiveness (响应及时性) of each department as the provider of shared resources, for the scorecards.

Only requests that wait for a person's answer count: conditional ones.  An unconditional request is
granted by the rules at once and a request for a resource that is not shared is refused at once, so
neither says anything about how a department answers.  For each providing department, as of ``now``:

- ``requests_received``: conditional requests made up to ``now``;
- ``requests_answered``: those answered (granted or refused) by ``now``;
- ``answered_in_time_share`` (0..1): of the requests whose timeliness is known — answered, or still
  open past their deadline — the share answered on or before the deadline's day; ``None`` without any;
- ``mean_answer_working_days``: mean working days from the day of the request to the day of its answer
  (the same day: 0); ``None`` without answers;
- ``overdue_open``: requests still unanswered at ``now`` past their deadline.

Every active department gets an entry (a department nobody asked has ``None`` for the shares and means).
The contract of the indicator providers is in the scorecards' package: ``name(session, now) ->
{department_id: {key: number or None}}``.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.db import utcnow
from registry.departments.models import Department
from registry.sharing.models import ShareRequest
from registry.sharing.services import calendar
from registry.sharing.workdays import local_date

KEYS = ("requests_received", "requests_answered", "answered_in_time_share", "mean_answer_working_days", "overdue_open")


def responsiveness(session: Session, now: datetime | None = None) -> dict[int, dict[str, float | int | None]]:
    now = now or utcnow()
    today = local_date(now)
    days = calendar()
    tallies = {department_id: {"received": 0, "answered": 0, "in_time": 0, "known": 0, "days": 0, "overdue": 0}
               for department_id in session.scalars(select(Department.id).where(Department.active.is_(True)))}
    rows = session.execute(select(ShareRequest.provider_department_id, ShareRequest.created_at, ShareRequest.due_on,
                                  ShareRequest.answered_at).where(ShareRequest.share_type == "conditional",
                                                                  ShareRequest.created_at <= now))
    for department_id, created_at, due_on, answered_at in rows:
        tally = tallies.setdefault(department_id,
                                   {"received": 0, "answered": 0, "in_time": 0, "known": 0, "days": 0, "overdue": 0})
        tally["received"] += 1
        if answered_at is not None and answered_at <= now:
            answered_on = local_date(answered_at)
            tally["answered"] += 1
            tally["known"] += 1
            tally["in_time"] += answered_on <= due_on
            tally["days"] += days.workdays_between(local_date(created_at), answered_on)
        elif due_on < today:
            tally["known"] += 1
            tally["overdue"] += 1
    return {department_id: {
        "requests_received": t["received"],
        "requests_answered": t["answered"],
        "answered_in_time_share": t["in_time"] / t["known"] if t["known"] else None,
        "mean_answer_working_days": t["days"] / t["answered"] if t["answered"] else None,
        "overdue_open": t["overdue"],
    } for department_id, t in tallies.items()}
