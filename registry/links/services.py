"""Link states: which URLs the published catalog names, and what each answered when last checked.

The checker itself is network code and lives with the harvesters (``harvesters/links.py``); the
registry only stores and reads its results, so pages, scores and indicators never reach the network.

* :func:`published_links` — the access and download URLs of the published documents, each with the
  resources that name it (a URL shared by many resources is checked once);
* :func:`due_urls` — which of them to check next: never checked first, then the oldest result;
* :func:`record_results` — store a batch of results (one row per URL, upserted) and call every
  callback in :data:`AFTER_CHECK` with the resources whose links were checked, in the same
  transaction (the metadata-quality score reads link states and is recomputed there);
* :func:`url_states` — ``{url: True | False | None}`` for other parts of the catalog.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from registry.links.models import LinkCheck, url_key
from registry.resources.models import Resource

# Called as callback(session, resource_ids) after each stored batch of results.
AFTER_CHECK: list[Callable[[Session, list[int]], None]] = []
CHUNK = 500          # keys per IN list
FIELDS = ("url", "ok", "status", "error", "final_url", "redirects", "elapsed_ms", "checked_at")


def document_urls(doc: dict | None) -> list[str]:
    """The access and download URLs of a document's distributions, each once, in order."""
    urls: dict[str, None] = {}
    for distribution in (doc or {}).get("distributions") or []:
        for field in ("access_url", "download_url"):
            value = distribution.get(field)
            if isinstance(value, str) and value.strip():
                urls[value.strip()] = None
    return list(urls)


def published_links(session: Session, department_ids: Iterable[int] | None = None
                    ) -> tuple[dict[str, set[int]], dict[int, int]]:
    """``({url: resource ids naming it}, {resource id: department id})`` over the published documents
    (of the given departments only, when named)."""
    query = select(Resource.id, Resource.department_id, Resource.doc, Resource.published_doc) \
        .where(Resource.is_public.is_(True)).order_by(Resource.id)
    if department_ids is not None:
        query = query.where(Resource.department_id.in_(list(department_ids)))
    users: dict[str, set[int]] = {}
    owners: dict[int, int] = {}
    for resource_id, department_id, doc, published in session.execute(query.execution_options(yield_per=1000)):
        owners[resource_id] = department_id
        for url in document_urls(published if published is not None else doc):
            users.setdefault(url, set()).add(resource_id)
    return users, owners


def link_checks(session: Session, urls: Iterable[str]) -> dict[str, LinkCheck]:
    """The stored result of each URL that has one."""
    keys = {url_key(url): url for url in dict.fromkeys(urls)}
    found: dict[str, LinkCheck] = {}
    ordered = list(keys)
    for start in range(0, len(ordered), CHUNK):
        for row in session.scalars(select(LinkCheck).where(LinkCheck.url_key.in_(ordered[start:start + CHUNK]))):
            found[keys[row.url_key]] = row
    return found


def url_states(session: Session, urls: Iterable[str]) -> dict[str, bool | None]:
    """``{url: True}`` answered 2xx, ``False`` dead, ``None`` (or absent) never checked or not checkable."""
    keys = {url_key(url): url for url in dict.fromkeys(urls)}
    states: dict[str, bool | None] = {}
    ordered = list(keys)
    for start in range(0, len(ordered), CHUNK):
        for key, ok in session.execute(select(LinkCheck.url_key, LinkCheck.ok)
                                       .where(LinkCheck.url_key.in_(ordered[start:start + CHUNK]))):
            states[keys[key]] = ok
    return states


def due_urls(session: Session, urls: Iterable[str], *, checked_before: datetime | None = None,
             limit: int | None = None) -> list[str]:
    """The URLs to check next, in order: those never checked, then the oldest results first.

    With ``checked_before``, only URLs never checked or last checked before that moment."""
    urls = list(dict.fromkeys(urls))
    checked: dict[str, datetime] = {}
    keys = {url_key(url): url for url in urls}
    ordered = list(keys)
    for start in range(0, len(ordered), CHUNK):
        for key, at in session.execute(select(LinkCheck.url_key, LinkCheck.checked_at)
                                       .where(LinkCheck.url_key.in_(ordered[start:start + CHUNK]))):
            checked[keys[key]] = at
    never = [url for url in urls if url not in checked]
    older = sorted((url for url in checked if checked_before is None or checked[url] < checked_before),
                   key=lambda url: checked[url])
    due = never + older
    return due if limit is None else due[:limit]


def record_results(session: Session, results: Iterable[dict], users: dict[str, set[int]] | None = None) -> list[int]:
    """Store checked results (dicts with :data:`FIELDS`), one row per URL, and call :data:`AFTER_CHECK`
    with the resources naming them (``users``: url → resource ids; read from the catalog when not
    given).  Returns those resource ids."""
    rows = [{**{field: result.get(field) for field in FIELDS}, "url_key": url_key(result["url"]),
             "redirects": result.get("redirects") or 0} for result in results]
    if not rows:
        return []
    rows = list({row["url_key"]: row for row in rows}.values())       # a URL once per statement
    for row in rows:
        row.update(checks=1, failures=0 if row["ok"] is not False else 1,
                   last_ok_at=row["checked_at"] if row["ok"] else None)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(LinkCheck)
    new = statement.excluded
    statement = statement.on_conflict_do_update(index_elements=[LinkCheck.url_key], set_={
        **{field: getattr(new, field) for field in FIELDS},
        "checks": LinkCheck.checks + 1,
        "failures": case((new.ok.is_(False), LinkCheck.failures + 1), else_=0),
        "last_ok_at": case((new.ok.is_(True), new.checked_at), else_=LinkCheck.last_ok_at),
    })
    session.execute(statement, rows)
    if users is None:
        users, _owners = published_links(session)
    resource_ids = sorted({rid for row in rows for rid in users.get(row["url"], ())})
    if resource_ids:
        for callback in list(AFTER_CHECK):
            callback(session, resource_ids)
    return resource_ids

