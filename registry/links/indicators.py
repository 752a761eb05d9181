"""Link health of each department, an indicator of the scorecards.

A department's links are the distinct access and download URLs of its published resources; a link
counts as checked when its last check gave an answer either way (a link that cannot be checked,
such as an ftp address, is not counted), and as ok when that answer was 2xx.  With ``now``, results
stored after it do not count; only the last result of a URL is kept, so for a moment in the past
this is the state of the links checked since and not checked again.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.departments.models import Department
from registry.links.models import LinkCheck, url_key
from registry.links.services import CHUNK, published_links


def link_health(session: Session, now: datetime | None = None) -> dict[int, dict[str, float | int | None]]:
    """``{department id: {"links_checked", "links_ok", "links_ok_share"}}`` for every department;
    the share is ``None`` while none of its links was checked."""
    users, owners = published_links(session)
    by_department: dict[int, set[str]] = {}
    for url, resource_ids in users.items():
        for resource_id in resource_ids:
            by_department.setdefault(owners[resource_id], set()).add(url)
    keys = {url_key(url): url for url in users}
    states: dict[str, bool] = {}
    ordered = list(keys)
    for start in range(0, len(ordered), CHUNK):
        query = select(LinkCheck.url_key, LinkCheck.ok).where(LinkCheck.url_key.in_(ordered[start:start + CHUNK]),
                                                             LinkCheck.ok.is_not(None))
        if now is not None:
            query = query.where(LinkCheck.checked_at <= now)
        states.update((keys[key], ok) for key, ok in session.execute(query))
    health = {}
    for department_id in session.scalars(select(Department.id)):
        checked = [states[url] for url in by_department.get(department_id, ()) if url in states]
        ok = sum(1 for state in checked if state)
        health[department_id] = {"links_checked": len(checked), "links_ok": ok,
                                 "links_ok_share": ok / len(checked) if checked else None}
    return health
