"""A run of the link checker over the published catalog: which URLs, in what order, and where results go.

``govcat check-links`` and the worker's schedule both call :func:`check_links`: it reads the access
and download URLs of the published documents (of some departments, when asked), orders them —
never checked first, then the oldest result — checks them with :class:`harvesters.links.LinkChecker`
and stores the results in batches as they come (so an interrupted run keeps what it checked), each
batch calling the registry's after-check callbacks in its transaction.

The schedule: every URL is checked again once its last result is older than
``GOVCAT_LINK_CHECK_EVERY`` (default 7 days; empty: no scheduled checks); a scheduled run checks at
most ``GOVCAT_LINK_CHECK_BATCH`` URLs, the oldest first, so a big catalog is spread over several
runs and a worker is never held for long.  Finding what is due reads every published document, so a
worker without a queue looks at most every :data:`LOOK_EVERY` (:class:`LinkSchedule`) — at once again
while the last batch was full, since more are then due; with a queue a periodic task looks as often.
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask

from harvesters.http import AddressPolicy
from harvesters.links import LinkChecker, LinkResult
from harvesters.scheduling import parse_interval
from registry.db import Database, get_db, utcnow
from registry.links.services import due_urls, published_links, record_results

log = logging.getLogger(__name__)
WRITE_EVERY = 200          # results stored per transaction
LOOK_EVERY = timedelta(minutes=10)


@dataclass
class LinkRunSummary:
    """What a run found: counts, and the reasons of the dead links grouped (status codes and kinds)."""

    due: int = 0
    checked: int = 0
    ok: int = 0
    dead: int = 0
    not_checkable: int = 0
    redirected: int = 0
    reasons: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def add(self, result: LinkResult) -> None:
        self.checked += 1
        self.redirected += bool(result.redirects)
        if result.ok:
            self.ok += 1
        elif result.ok is None:
            self.not_checkable += 1
        else:
            self.dead += 1
            self.reasons[_reason_group(result)] += 1

    def line(self) -> str:
        rate = self.checked / self.seconds if self.seconds else 0.0
        return (f"checked {self.checked:,} of {self.due:,} links in {self.seconds:.1f} s ({rate:,.0f}/s): "
                f"{self.ok:,} answered, {self.dead:,} dead, {self.not_checkable:,} not checkable"
                f" (not http), {self.redirected:,} redirected")

    def as_dict(self) -> dict:
        return {"due": self.due, "checked": self.checked, "ok": self.ok, "dead": self.dead,
                "not_checkable": self.not_checkable, "redirected": self.redirected,
                "reasons": dict(self.reasons.most_common()), "seconds": round(self.seconds, 3)}


def _reason_group(result: LinkResult) -> str:
    """A dead link's reason without its particulars (addresses, URLs), to group a run's reasons."""
    error = result.error or ""
    if error.startswith("HTTP"):
        return error.split(",", 1)[0]
    for prefix in ("address refused", "redirect loop", "the host name does not resolve", "redirected to"):
        if error.startswith(prefix):
            return prefix
    return error


def checker_for(config, *, concurrency: int | None = None, per_host: int | None = None) -> LinkChecker:
    """A checker with the settings' address policy (private addresses refused) and limits."""
    return LinkChecker(policy=AddressPolicy.from_settings(config, public_only=True),
                       concurrency=concurrency or config.get("GOVCAT_LINK_CHECK_CONCURRENCY", 32),
                       per_host=per_host or config.get("GOVCAT_LINK_CHECK_PER_HOST", 4))


def check_links(database: Database, checker: LinkChecker, *, department_ids: Iterable[int] | None = None,
                checked_before: datetime | None = None, limit: int | None = None,
                progress: Callable[[LinkRunSummary], None] | None = None) -> LinkRunSummary:
    """Check the published catalog's links (see the module's docstring); the run's summary."""
    summary = LinkRunSummary()
    started = utcnow()
    with database.reader() as session:
        users, _owners = published_links(session, department_ids)
        urls = due_urls(session, users, checked_before=checked_before, limit=limit)
    summary.due = len(urls)
    pending: list[dict] = []

    def store() -> None:
        if pending:
            with database.transaction() as session:
                record_results(session, pending, users)
            pending.clear()

    try:
        for result in checker.check_all(urls):
            summary.add(result)
            pending.append(result.as_row())
            if len(pending) >= WRITE_EVERY:
                store()
            summary.seconds = (utcnow() - started).total_seconds()
            if progress is not None:
                progress(summary)
    finally:
        store()                    # what was checked before an interruption is kept
        summary.seconds = (utcnow() - started).total_seconds()
    return summary


def schedule_of(config) -> timedelta | None:
    """How old a result may grow before its URL is checked again; ``None`` when scheduled checks are off."""
    every = (config.get("GOVCAT_LINK_CHECK_EVERY") or "").strip()
    return parse_interval(every) if every else None


def run_scheduled(app: Flask, now: datetime | None = None) -> LinkRunSummary | None:
    """One scheduled batch: the URLs never checked or checked longer ago than the schedule, oldest
    first, at most ``GOVCAT_LINK_CHECK_BATCH``; ``None`` when scheduled checks are off or none is due."""
    every = schedule_of(app.config)
    if every is None:
        return None
    with checker_for(app.config) as checker:
        summary = check_links(get_db(app), checker, checked_before=(now or utcnow()) - every,
                              limit=app.config.get("GOVCAT_LINK_CHECK_BATCH", 2000))
    if summary.due:
        log.info("link check: %s", summary.line())
        return summary
    return None



class LinkSchedule:
    """The scheduled link checks of one worker: :func:`run_scheduled` every :data:`LOOK_EVERY` at most,
    and again at once while each batch comes back full."""

    def __init__(self, app: Flask):
        self.app = app
        self.next_look: datetime | None = None

    def run_if_time(self, now: datetime | None = None) -> LinkRunSummary | None:
        now = now or utcnow()
        if self.next_look is not None and now < self.next_look:
            return None
        summary = run_scheduled(self.app, now)
        full = summary is not None and summary.due >= self.app.config.get("GOVCAT_LINK_CHECK_BATCH", 2000)
        self.next_look = now if full else now + LOOK_EVERY
        return summary
