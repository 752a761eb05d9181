"""The harvest job lifecycle, the same for every source type.

:class:`Harvester` owns a job from start to end; a source type (one module each, e.g.
:mod:`harvesters.dcat`) only says how to list the source's records and how to map one of them.
Each record goes through named stages::

    gather → fetch → map → compare → load            and, for the job:  withdraw → index

* **gather**: the source type lists records, page by page, as a generator (memory stays bounded).
  A page whose bytes are those of the last run, when every record on it was taken, is not even
  parsed (:meth:`Harvester.page_unchanged`); a record whose raw form is as stored
  (:meth:`Harvester.raw_digest`) is not mapped: both count as unchanged at once.
* **fetch**: the source type gets one record's raw form (for DCAT it came with its page).
* **map** (:mod:`harvesters.map_stage`): the source type's document, with the source's defaults and
  honest derivations and the provider set to the source's department (:mod:`harvesters.completion`),
  through the schema every input passes — each bad value dropped with a warning — and, when
  complete, govcat's SHACL profile (:func:`vocab.profile.check_document`, compiled: no per-record
  pyshacl).  Big jobs of types whose records can be pickled map in worker processes, chunk by chunk.
* **compare**: the content hash of the canonical document against the stored provenance, read
  once per job; an unchanged record costs no write at all.  A record already harvested from
  another source, or carrying the resource code of a resource already in the catalog, is a
  duplicate: reported, not stored twice.
* **load** (:mod:`harvesters.load_stage`): create (published, or submitted for review, per the
  source's policy; a record lacking the guide's fields to be completed, not public) or update
  (leaving what the department completed), with
  the audit trail and the search outbox written in the same transaction — :data:`LOAD_BATCH`
  records a transaction; a batch that fails is retried record by record, so one bad record
  costs only itself.  When the listing breaks midway, what was listed before the break is loaded.
* **withdraw**: resources of this source whose records vanished — only after a complete,
  successful gather.  **index**: the outbox rows are the index stage; draining is the caller's.

One record that fails becomes a :class:`HarvestError` row (a value dropped: a warning row) and
never fails the job, though a job whose every record failed is no success; a
:class:`JobFailure` (the listing broke midway) fails the job and withdraws nothing.  Outcomes are
data: exceptions carry what happened, and only this module writes it down.
"""
from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import socket
import sys
import time
from collections import deque
from datetime import timedelta
from typing import Any, Callable, ClassVar, Iterator

from sqlalchemy import delete, select, update

from harvesters.http import SafeFetcher
from harvesters.lease import LEASE, Lease, LeaseLost
from harvesters.load_stage import LoadStage
from harvesters.map_stage import _Done, _map_in_worker, map_records, start_pool
from harvesters.models import COUNTERS, HarvestError, HarvestJob, HarvestPage, HarvestRecord, HarvestSource
# The data of a job, named here too: source types and callers import them from this module.
from harvesters.records import (  # noqa: F401
    HarvestActor, JobAlreadyRunning, JobFailure, JobReport, Known, Listed, Mapped, PageNote,
    RecordFailure, _message, _reason, _truncate, content_hash,
)
from registry.audit.services import record
from registry.collector import bulk_work
from registry.db import Database, utcnow
from registry.lifetime import process_alive
from registry.resources.models import Resource
from registry.quality.services import score_written
from registry.search.outbox import queue_for_index

log = logging.getLogger(__name__)
MAX_WARNINGS_IN_REPORT = 1000     # warnings kept in a report in memory (all are written as rows)
HEARTBEAT_SECONDS = 10           # counters and waiting error rows written at least this often
STALE_AFTER = LEASE              # a running job whose lease is this old is dead (harvesters/lease.py)
# Bump when a source type's mapping (or govcat's schema) changes what a record becomes: every record
# is then mapped again on the next run instead of being skipped as unchanged.
MAPPING_VERSION = "2026-12-07"
CHUNK = 250            # records mapped together (in a worker process, when the job is big)
LOAD_BATCH = 500       # records written in one transaction
IN_FLIGHT = 4          # chunks handed to the mapping processes ahead of the loader


def job_owner() -> str:
    """This process, as a job's owner: host and process id."""
    return f"{socket.gethostname()[:200]}:{os.getpid()}"


def owner_gone(job: HarvestJob) -> bool:
    """Whether the process that runs ``job`` is known to have ended: it ran on this host and is no more.
    A job of another host is judged by its lease alone."""
    host, _, pid = (job.owner or "").rpartition(":")
    return bool(host) and host == socket.gethostname()[:200] and pid.isdigit() and not process_alive(int(pid))


class Harvester(LoadStage):
    """Runs one job of one source; subclasses implement :meth:`gather` and :meth:`map` (and may :meth:`fetch`).

    The map stage (:meth:`fetch`, :meth:`map`, the schema, the content hash) uses nothing but the
    record and ``self.source``'s plain fields, so a source type whose listed data can be pickled
    (``parallel = True``) has its big jobs mapped in worker processes while this process lists
    and loads.  A type that gives :meth:`raw_digest` lets an unchanged record skip mapping.
    """

    type: ClassVar[str] = ""
    stale_after: ClassVar[timedelta] = STALE_AFTER
    parallel: ClassVar[bool] = False
    parallel_after: ClassVar[int] = 500        # records listed before worker processes are worth starting

    def __init__(self, database: Database, source: HarvestSource):
        self.database, self.source = database, source
        self.actor = HarvestActor(f"harvest:{source.name}"[:64])
        # Called about once a second with the counters so far (and "listed"): a command's progress line.
        self.progress: Callable[[dict], None] | None = None

    # -- what a source type says -------------------------------------------------------------
    def gather(self) -> Iterator[Listed]:
        """List the source's records; raise :class:`JobFailure` if the listing cannot be completed."""
        raise NotImplementedError

    def fetch(self, listed: Listed) -> Any:
        """The raw form of one record (default: what the listing gave)."""
        return listed.data

    def map(self, raw: Any) -> dict:
        """The metadata document of one record, before defaults and validation."""
        raise NotImplementedError

    def raw_digest(self, listed: Listed) -> str | None:
        """A digest of the record as listed, equal when the source did not change it (None: always map)."""
        return None

    def resource_code(self, raw: Any) -> str | None:
        """The resource code (``dct:identifier``) the record carries, if any."""
        return None

    def snippet(self, listed: Listed) -> str | None:
        """A short text of the record as read, for error rows."""
        return None

    def close(self) -> None:
        """Release what the source type holds (connections)."""

    # -- the lifecycle -------------------------------------------------------------------------
    def run(self, *, dry_run: bool = False, limit: int | None = None) -> JobReport:
        """Run one job to its end and return its report (raises :class:`JobAlreadyRunning` only).

        ``limit`` (dry runs only): a check of the first ``limit`` records listed — what they would
        become, and why — before a source's first real run; nothing is withdrawn after a part-listing.
        """
        if limit is not None and not dry_run:
            raise ValueError("only a dry run may stop after part of the listing")
        self._job_id, self._finished, self._limit = None, False, limit
        try:
            with bulk_work():
                return self._run(dry_run)
        except BaseException:
            # Interrupted between opening the job's row and the lifecycle taking over: say so.
            if self._job_id is not None and not self._finished:
                with self.database.transaction() as session:
                    session.execute(update(HarvestJob)
                                    .where(HarvestJob.id == self._job_id, HarvestJob.status == "running")
                                    .values(status="failed", finished_at=utcnow(), error="interrupted"))
            raise

    def _run(self, dry_run: bool) -> JobReport:
        job_id = self._start()
        self._lease = Lease(self.database, job_id, job_owner()).__enter__()
        report = JobReport(job_id, self.source.name, "dry_run" if dry_run else "running")
        self._report, self._dry_run, self._pending_errors = report, dry_run, []
        self._last_beat = self._last_progress = time.monotonic()
        self._pool, self._batch, self._codes_seen = None, [], set()
        seen: set[str] = set()
        try:
            self._known = self._load_known()
            self._fingerprint = self._mapping_fingerprint()
            self._pages, self._page_notes, self._pages_visited, self._listed_raw = self._load_pages(), [], set(), {}
            self._pipeline(seen)
            if self._limit is None or self._listed_count < self._limit:     # the listing was complete
                self._withdraw_vanished(seen)
            if not dry_run:
                self._note_pages()
            report.status = "dry_run" if dry_run else "succeeded"
        except JobFailure as failure:
            report.status, report.error = "failed", f"{failure.stage}: {failure.message}"
        except Exception as error:     # a bug or an outage: the job must not stay "running"
            log.exception("harvest job %s of %s failed", job_id, self.source.name)
            report.status, report.error = "failed", f"internal error: {_message(error)}"
        except BaseException:          # interrupted (a signal, a worker stopping): say so, then stop
            report.status, report.error = "failed", "interrupted"
            raise
        finally:
            if self._pool is not None:
                self._pool.terminate()
                self._pool.join()
            self.close()
            self._lease.release()
            self._finish()
        return report

    def _start(self) -> int:
        """Refuse to start beside a live job; mark a stale one failed; open this job's row."""
        with self.database.transaction() as session:
            lock = {"of": HarvestSource} if session.get_bind().dialect.name == "postgresql" else None
            session.get(HarvestSource, self.source.id, with_for_update=lock)   # one starter at a time
            now = utcnow()
            for job in session.scalars(select(HarvestJob).where(
                    HarvestJob.source_id == self.source.id, HarvestJob.status == "running")):
                if owner_gone(job):
                    job.error = f"its process ({job.owner}) ended without finishing it"
                elif now - job.heartbeat_at < self.stale_after:
                    raise JobAlreadyRunning(f"job {job.id} of {self.source.name} is running "
                                            f"(last heartbeat {job.heartbeat_at.isoformat()})")
                else:
                    job.error = f"stale: no heartbeat since {job.heartbeat_at.isoformat()}"
                job.status, job.finished_at = "failed", now
            job = HarvestJob(source_id=self.source.id, status="running", started_at=now, heartbeat_at=now,
                             owner=job_owner(), **dict.fromkeys(COUNTERS, 0))
            session.add(job)
            session.flush()
            self._job_id = job.id      # from here on, an interruption closes this row (see run)
        return self._job_id

    def _beat(self, force: bool = False) -> None:
        """Write the counters, the heartbeat and the waiting error rows now and then."""
        if self.progress is not None and (force or time.monotonic() - self._last_progress >= 1):
            self._last_progress = time.monotonic()
            self.progress({"listed": getattr(self, "_listed_count", 0), **self._report.counters})
        if self._lease.lost and not force:
            raise LeaseLost()
        if not force and time.monotonic() - self._last_beat < HEARTBEAT_SECONDS:
            return
        self._last_beat = time.monotonic()
        with self.database.transaction() as session:
            session.execute(update(HarvestJob).where(HarvestJob.id == self._report.job_id).values(
                heartbeat_at=utcnow(), **self._report.counters))
            if self._pending_errors and not self._dry_run:
                session.add_all(HarvestError(job_id=self._report.job_id, **e) for e in self._pending_errors)
            self._pending_errors = []

    def _finish(self) -> None:
        report = self._report
        counters = report.counters
        taken = counters["created"] + counters["updated"] + counters["unchanged"]
        if report.status in ("succeeded", "dry_run") and counters["failed"] and not taken:
            # Nothing listed could be taken: that is no success, however cleanly the listing ended.
            report.status = "failed" if report.status == "succeeded" else report.status
            report.error = (f"map: every record listed failed ({counters['failed']}); see the summary for "
                            f"the reasons and how to fix them")
        self._beat(force=True)
        with self.database.transaction() as session:
            # Only a job still running is ended here: one taken over elsewhere keeps the taker's verdict.
            session.execute(update(HarvestJob).where(HarvestJob.id == report.job_id,
                                                     HarvestJob.status == "running").values(
                status=report.status, finished_at=utcnow(), error=_truncate(report.error, 5000),
                summary=report.tally.summary()))
        self._finished = True

    def _fail(self, original_id: str, stage: str, message: str, snippet: str | None, counter: str = "failed",
              reason: str | None = None, severity: str = "error", field_name: str | None = None) -> None:
        self._report.counters[counter] += 1
        reason = (reason or _reason(message))[:200]
        error = {"stage": stage, "record_id": original_id[:2000], "message": _truncate(message, 5000),
                 "snippet": _truncate(snippet), "severity": severity, "field": field_name and field_name[:200],
                 "reason": reason}
        self._report.tally.note(severity, reason, field_name)
        if severity == "error" or len(self._report.errors) < MAX_WARNINGS_IN_REPORT:
            self._report.errors.append(error)
        self._pending_errors.append(error)

    def _warn(self, mapped: Mapped) -> None:
        for warning in mapped.warnings:
            value = warning.get("value")
            self._fail(mapped.original_id, "map", f"{warning.get('field')}: {warning.get('reason')}"
                       + (f" (value {value})" if value not in (None, "") else ""), None, "warnings",
                       reason=str(warning.get("reason") or "dropped"), severity="warning",
                       field_name=str(warning.get("field") or ""))

    def _load_known(self) -> dict[str, Known]:
        """Every record this source harvested before, read once: the compare stage costs no query."""
        with self.database.reader() as session:
            rows = session.execute(select(HarvestRecord.id, HarvestRecord.original_id, HarvestRecord.resource_id,
                                          HarvestRecord.content_hash, HarvestRecord.raw_hash, Resource.state)
                                   .join(Resource, Resource.id == HarvestRecord.resource_id)
                                   .where(HarvestRecord.source_id == self.source.id))
            return {r.original_id: Known(r.id, r.resource_id, r.content_hash, r.raw_hash, r.state) for r in rows}

    # -- pages that did not change ---------------------------------------------------------------
    def page_unchanged(self, url: str, body: bytes) -> HarvestPage | None:
        """The note of the page at ``url`` if these are the bytes it had when all its records were taken
        (and they all still stand); the source type then lists its records as unchanged, unparsed."""
        self._page_digest = self._digest_page(url, body)
        self._pages_visited.add(url)
        page = self._pages.get(url)
        if page is None or page.digest != self._page_digest:
            return None
        for original_id in page.original_ids:
            known = self._known.get(original_id)
            if known is None or known.state == "withdrawn" or known.raw_hash is None:
                return None
        return page

    def page_read(self, url: str, next_url: str | None, listed: list[Listed]) -> None:
        """Say that the page at ``url`` (whose bytes :meth:`page_unchanged` saw last) listed ``listed``."""
        self._page_notes.append(PageNote(url, self._page_digest, next_url, [item.original_id for item in listed]))

    def _digest_page(self, url: str, body: bytes) -> str:
        digest = hashlib.sha256(f"{self._fingerprint}\n{url}\n".encode())
        digest.update(body)
        return digest.hexdigest()

    def _load_pages(self) -> dict[str, HarvestPage]:
        with self.database.reader() as session:
            pages = list(session.scalars(select(HarvestPage).where(HarvestPage.source_id == self.source.id)))
            for page in pages:
                session.expunge(page)
        return {page.url: page for page in pages}

    def _note_pages(self) -> None:
        """Remember the pages of this run whose records were all taken; forget the pages it did not read."""
        def taken(original_id: str) -> bool:
            known, raw_hash = self._known.get(original_id), self._listed_raw.get(original_id)
            return known is not None and known.state != "withdrawn" and raw_hash is not None \
                and known.raw_hash == raw_hash

        notes = [n for n in self._page_notes if n.original_ids and all(taken(o) for o in n.original_ids)]
        kept = {n.url for n in notes} | (self._pages_visited - {n.url for n in self._page_notes})
        stale = [page.id for url, page in self._pages.items() if url not in kept]
        changed = [n for n in notes if n.url not in self._pages or self._pages[n.url].digest != n.digest]
        if not stale and not changed:
            return
        with self.database.transaction() as session:
            if stale:
                session.execute(delete(HarvestPage).where(HarvestPage.id.in_(stale)))
            for note in changed:
                if note.url in self._pages and self._pages[note.url].id not in stale:
                    session.execute(delete(HarvestPage).where(HarvestPage.id == self._pages[note.url].id))
                session.add(HarvestPage(source_id=self.source.id, url=note.url, digest=note.digest,
                                        next_url=note.next_url, original_ids=note.original_ids))

    def _mapping_fingerprint(self) -> str:
        """What, besides the record, decides its document: a change here maps every record again."""
        basis = [MAPPING_VERSION, self.type, self.source.defaults or {}, self.source.department.credit_code]
        return json.dumps(basis, sort_keys=True, ensure_ascii=False)

    # -- gather → fetch → map: listed in this process, mapped here or in worker processes ---------
    def _pipeline(self, seen: set[str]) -> None:
        """List, map and load; when the listing breaks, what was listed before the break is still taken."""
        self._pending, self._in_flight, self._listed_count = [], deque(), 0
        try:
            for listed in self.gather():
                self._list(listed, seen)
                self._beat()
                if self._limit is not None and self._listed_count >= self._limit:
                    break
        finally:
            # A broken listing (JobFailure) still loads what came before it; a bug, or a lost lease
            # (a JobFailure of its own class, so not matched here), loads nothing more.
            if sys.exc_info()[0] in (None, JobFailure):
                self._drain_pipeline()

    def _list(self, listed: Listed, seen: set[str]) -> None:
        self._listed_count += 1
        if listed.original_id in seen:
            self._fail(listed.original_id, "compare", "listed twice by this source in one run", None, "duplicates",
                       reason="duplicate")
            return
        seen.add(listed.original_id)
        known = self._known.get(listed.original_id)
        if listed.unchanged and known is not None:
            self._report.counters["unchanged"] += 1       # its page did not change: not even parsed
            return
        raw_hash = self._listed_raw[listed.original_id] = self._raw_hash(listed)
        if raw_hash and known and known.raw_hash == raw_hash and known.state != "withdrawn":
            self._report.counters["unchanged"] += 1       # the source did not change it: not even mapped
            return
        self._pending.append((listed, raw_hash))
        if len(self._pending) >= CHUNK:
            self._in_flight.append(self._map_chunk_async(self._pending))
            self._pending = []
            while self._in_flight and (len(self._in_flight) > IN_FLIGHT or self._in_flight[0].ready()):
                self._absorb(self._in_flight.popleft().get())

    def _drain_pipeline(self) -> None:
        if self._pending:
            self._in_flight.append(self._map_chunk_async(self._pending))
            self._pending = []
        while self._in_flight:
            self._absorb(self._in_flight.popleft().get())
        self._load_batch()

    def _raw_hash(self, listed: Listed) -> str | None:
        digest = self.raw_digest(listed)
        return hashlib.sha256(f"{self._fingerprint}\n{digest}".encode()).hexdigest() if digest else None

    def _map_chunk_async(self, chunk: list):
        # A daemonic process (a queue consumer's worker) may not have children: it maps in-process.
        if self._pool is None and self.parallel and self._listed_count > self.parallel_after \
                and (os.cpu_count() or 1) > 1 and not multiprocessing.current_process().daemon:
            self._pool = start_pool(self)
        if self._pool is None:
            return _Done(map_records(self, chunk))
        return self._pool.apply_async(_map_in_worker, ([(l.original_id, l.data, h) for l, h in chunk],))

    def _absorb(self, results: list[Mapped]) -> None:
        for mapped in results:
            if mapped.failure:
                stage, message, snippet, reason = mapped.failure
                self._fail(mapped.original_id, stage, message, snippet, reason=reason)
                continue
            self._warn(mapped)
            known = self._known.get(mapped.original_id)
            if known and known.content_hash == mapped.digest and known.state != "withdrawn":
                self._report.counters["unchanged"] += 1
                if known.raw_hash != mapped.raw_hash and not self._dry_run:
                    self._batch.append((mapped, known))        # only the raw digest to note
                continue
            self._batch.append((mapped, known))
            if len(self._batch) >= LOAD_BATCH:
                self._load_batch()
        self._beat()

    # -- the job's end -------------------------------------------------------------------------
    def _withdraw_vanished(self, seen: set[str]) -> None:
        """Withdraw (in a dry run: report) this source's resources that the complete listing no longer has."""
        vanished = [(original_id, known.resource_id) for original_id, known in self._known.items()
                    if original_id not in seen and known.state != "withdrawn"]
        if vanished and not seen:
            # An empty listing is far likelier a broken source than a department withdrawing everything.
            raise JobFailure("gather", f"the source listed no records; {len(vanished)} resources were kept")
        if self._dry_run:
            self._report.counters["withdrawn"] += len(vanished)
            self._report.changes += [{"original_id": o, "action": "withdraw"} for o, _r in vanished]
            return
        for offset in range(0, len(vanished), LOAD_BATCH):
            part = vanished[offset:offset + LOAD_BATCH]
            with self.database.transaction() as session:
                withdrawn = []
                for original_id, resource_id in part:
                    resource = session.get(Resource, resource_id)
                    withdrawn.append(resource)
                    before = resource.state
                    resource.state, resource.is_public = "withdrawn", False
                    resource.version += 1
                    resource.modified_at = utcnow()
                    record(session, self.actor, entity_type="resource", entity_id=resource.id,
                           department_id=resource.department_id, action="withdraw", from_state=before,
                           to_state="withdrawn", comment=f"no longer listed by {self.source.name}: {original_id}")
                score_written(session, withdrawn, validated=True)
                queue_for_index(session, [r for _o, r in part])
            self._report.counters["withdrawn"] += len(part)
            self._beat()


class RemoteHarvester(Harvester):
    """A source type reached over the network: every request goes through one :class:`SafeFetcher`
    (timeouts, size cap — the source's own ``max_bytes`` when an administrator set one —, redirects,
    the address policy), built from the source's auth header and ``fetcher_options`` (tests tighten
    them), closed when the job ends."""

    fetcher_options: ClassVar[dict] = {}
    max_pages: ClassVar[int] = 10_000      # pages one listing may take; more fails the job

    def __init__(self, database: Database, source: HarvestSource, **fetcher_options):
        super().__init__(database, source)
        if getattr(source, "max_bytes", None):      # the source's own cap, set by an administrator
            fetcher_options.setdefault("max_bytes", source.max_bytes)
        self.fetcher = SafeFetcher(auth_header=source.auth_header, **{**self.fetcher_options, **fetcher_options})

    def check_page_count(self, pages: int) -> None:
        """Before reading another page, with ``pages`` read: past :attr:`max_pages` the listing stops."""
        if pages >= self.max_pages:
            raise JobFailure("gather", f"more than {self.max_pages} pages; the listing was stopped")

    def close(self) -> None:
        self.fetcher.close()
