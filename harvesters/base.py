"""The harvest job lifecycle, the same for every source type.

:class:`Harvester` owns a job from start to end; a source type (one module each, e.g.
:mod:`harvesters.dcat`) only says how to list the source's records and how to map one of them.
Each record goes through named stages::

    gather → fetch → map → compare → load            and, for the job:  withdraw → index

* **gather**: the source type lists records, page by page, as a generator (memory stays bounded).
* **fetch**: the source type gets one record's raw form (for DCAT it came with its page).
* **map**: the source type's document, with the source's defaults filled in and the provider set
  to the source's department, through :func:`normalize_metadata`.
* **compare**: the content hash of the canonical document against the stored provenance; an
  unchanged record costs no write at all.  A record already harvested from another source, or
  carrying the resource code of a resource already in the catalog, is a duplicate: reported,
  not stored twice.
* **load**: create (published, or submitted for review, per the source's policy) or update, with
  the audit trail and the search outbox written in the same transaction.
* **withdraw**: resources of this source whose records vanished — only after a complete,
  successful gather.  **index**: the outbox rows are the index stage; draining is the caller's.

One record that fails becomes a :class:`HarvestError` row and never fails the job; a
:class:`JobFailure` (the listing broke midway) fails the job and withdraws nothing.  Outcomes are
data: exceptions carry what happened, and only this module writes it down.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar, Iterator

from marshmallow import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from harvesters.models import COUNTERS, HarvestError, HarvestJob, HarvestRecord, HarvestSource
from registry.audit.services import diff_documents, record
from registry.codes import parse_resource_code
from registry.db import Database, utcnow
from registry.errors import ServiceError
from registry.resources.models import Resource
from registry.resources.schemas import normalize_metadata
from registry.resources.services import _publish, _reclassify, prepare_registration, register_resources
from registry.search.outbox import queue_for_index
from vocab.mapping import canonical_metadata

log = logging.getLogger(__name__)
SNIPPET_CHARS = 1000
HEARTBEAT_SECONDS = 10
STALE_AFTER = timedelta(minutes=30)


class JobFailure(Exception):
    """The job cannot go on (the listing failed midway, a paging loop…): nothing is withdrawn."""

    def __init__(self, stage: str, message: str):
        super().__init__(message)
        self.stage, self.message = stage, message


class RecordFailure(Exception):
    """One record cannot be taken; the job goes on."""

    def __init__(self, stage: str, message: str, snippet: str | None = None):
        super().__init__(message)
        self.stage, self.message, self.snippet = stage, message, snippet


class JobAlreadyRunning(Exception):
    """A job of this source is running and its heartbeat is fresh."""


@dataclass
class Listed:
    """One record as the source listed it: its original identifier (an IRI) and what the type needs."""

    original_id: str
    data: Any


@dataclass
class JobReport:
    """What a job did: its row's status and counters, and the per-record errors."""

    job_id: int
    source: str
    status: str
    counters: dict = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    errors: list[dict] = field(default_factory=list)
    error: str | None = None
    # Dry runs: what would change, record by record ({"original_id", "action"}).
    changes: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"job": self.job_id, "source": self.source, "status": self.status, "error": self.error,
                **self.counters, "errors": self.errors, "changes": self.changes}


@dataclass(frozen=True)
class HarvestActor:
    """Who the audit trail names for harvested changes: the source, not a person."""

    username: str
    id: None = None
    department: None = None


def content_hash(doc: dict) -> str:
    """SHA-256 of the canonical form of ``doc``: equal for documents RDF cannot tell apart."""
    text = json.dumps(canonical_metadata(doc), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _truncate(text: str | None, limit: int = SNIPPET_CHARS) -> str | None:
    if text is None:
        return None
    return text if len(text) <= limit else text[:limit] + "…"


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "invalid metadata: " + json.dumps(error.messages, ensure_ascii=False, sort_keys=True)
    if isinstance(error, ServiceError):
        return error.en
    return f"{type(error).__name__}: {error}"


class Harvester:
    """Runs one job of one source; subclasses implement :meth:`gather` and :meth:`map` (and may :meth:`fetch`)."""

    type: ClassVar[str] = ""
    stale_after: ClassVar[timedelta] = STALE_AFTER

    def __init__(self, database: Database, source: HarvestSource):
        self.database, self.source = database, source
        self.actor = HarvestActor(f"harvest:{source.name}"[:64])

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

    def resource_code(self, raw: Any) -> str | None:
        """The resource code (``dct:identifier``) the record carries, if any."""
        return None

    def snippet(self, listed: Listed) -> str | None:
        """A short text of the record as read, for error rows."""
        return None

    def close(self) -> None:
        """Release what the source type holds (connections)."""

    # -- the lifecycle -------------------------------------------------------------------------
    def run(self, *, dry_run: bool = False) -> JobReport:
        """Run one job to its end and return its report (raises :class:`JobAlreadyRunning` only)."""
        job_id = self._start()
        report = JobReport(job_id, self.source.name, "dry_run" if dry_run else "running")
        self._report, self._dry_run, self._pending_errors = report, dry_run, []
        self._last_beat = time.monotonic()
        seen: set[str] = set()
        try:
            for listed in self.gather():
                self._take(listed, seen)
                self._beat()
            self._withdraw_vanished(seen)
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
            self.close()
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
                if now - job.heartbeat_at < self.stale_after:
                    raise JobAlreadyRunning(f"job {job.id} of {self.source.name} is running "
                                            f"(last heartbeat {job.heartbeat_at.isoformat()})")
                job.status, job.finished_at = "failed", now
                job.error = f"stale: no heartbeat since {job.heartbeat_at.isoformat()}"
            job = HarvestJob(source_id=self.source.id, status="running", started_at=now, heartbeat_at=now,
                             **dict.fromkeys(COUNTERS, 0))
            session.add(job)
            session.flush()
            return job.id

    def _beat(self, force: bool = False) -> None:
        """Write the counters, the heartbeat and the waiting error rows now and then."""
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
        self._beat(force=True)
        with self.database.transaction() as session:
            session.execute(update(HarvestJob).where(HarvestJob.id == report.job_id).values(
                status=report.status, finished_at=utcnow(), error=_truncate(report.error, 5000)))

    def _fail(self, listed: Listed, stage: str, message: str, snippet: str | None, counter: str = "failed") -> None:
        self._report.counters[counter] += 1
        error = {"stage": stage, "record_id": listed.original_id[:2000], "message": _truncate(message, 5000),
                 "snippet": _truncate(snippet)}
        self._report.errors.append(error)
        self._pending_errors.append(error)

    # -- one record ----------------------------------------------------------------------------
    def _take(self, listed: Listed, seen: set[str]) -> None:
        if listed.original_id in seen:
            self._fail(listed, "compare", "listed twice by this source in one run", None, "duplicates")
            return
        seen.add(listed.original_id)
        stage = "fetch"
        try:
            raw = self.fetch(listed)
            stage = "map"
            doc = self._map(raw)
            stage = "compare"
            self._compare_and_load(listed, raw, doc)
        except RecordFailure as failure:
            self._fail(listed, failure.stage, failure.message, failure.snippet or self.snippet(listed))
        except JobFailure:
            raise
        except Exception as error:   # one bad record never fails the job
            if not isinstance(error, (ValidationError, ServiceError)):
                log.warning("harvest of %s failed on %s", self.source.name, listed.original_id, exc_info=True)
            # Compare only reads; what fails after the mapping is the load (its validation included).
            self._fail(listed, "load" if stage == "compare" else stage, _message(error), self.snippet(listed))

    def _map(self, raw: Any) -> dict:
        doc = self.map(raw)
        doc = {**(self.source.defaults or {}), **{k: v for k, v in doc.items() if v not in (None, [], {})}}
        doc["provider"] = self.source.department.credit_code
        return normalize_metadata(doc)

    def _compare_and_load(self, listed: Listed, raw: Any, doc: dict) -> None:
        digest = content_hash(doc)
        # Compare on a reader: an unchanged record takes no write lock, let alone writes.
        with self.database.reader() as session:
            mine = session.scalar(select(HarvestRecord).where(
                HarvestRecord.source_id == self.source.id, HarvestRecord.original_id == listed.original_id))
            if mine is None:
                duplicate = self._duplicate_of(session, listed, raw)
                if duplicate:
                    self._fail(listed, "compare", duplicate, None, "duplicates")
                    return
                action = "created"
            else:
                state = session.scalar(select(Resource.state).where(Resource.id == mine.resource_id))
                if mine.content_hash == digest and state != "withdrawn":
                    self._report.counters["unchanged"] += 1
                    return
                action = "updated"
            if self._dry_run:
                prepare_registration(session, self.actor, doc, check_permission=False)   # would it load?
                self._report.changes.append({"original_id": listed.original_id, "action": action[:-1]})
                self._report.counters[action] += 1
                return
        with self.database.transaction() as session:
            if mine is None:
                self._create(session, listed, doc, digest)
            else:
                # On PostgreSQL, lock the resource row against a concurrent edit; SQLite writers are serialized.
                lock = {"of": Resource} if session.get_bind().dialect.name == "postgresql" else None
                resource = session.get(Resource, mine.resource_id, with_for_update=lock)
                self._update(session, session.get(HarvestRecord, mine.id), resource, doc, digest)
        self._report.counters[action] += 1

    def _duplicate_of(self, session: Session, listed: Listed, raw: Any) -> str | None:
        other = session.execute(select(HarvestRecord.resource_id, HarvestSource.name).join(
            HarvestSource, HarvestSource.id == HarvestRecord.source_id).where(
            HarvestRecord.original_id == listed.original_id, HarvestRecord.source_id != self.source.id)).first()
        if other:
            return f"already harvested from source {other.name} as resource {other.resource_id}"
        code = self.resource_code(raw)
        if code and parse_resource_code(code):
            existing = session.scalar(select(Resource.id).where(Resource.code == code))
            if existing:
                return f"resource code {code} is already in the catalog (resource {existing})"
        return None

    def _create(self, session: Session, listed: Listed, doc: dict, digest: str) -> None:
        publish = self.source.publish_policy == "direct"
        registration = prepare_registration(session, self.actor, doc, check_permission=False)
        resource_id = register_resources(session, self.actor, [registration], publish=publish,
                                         comment=f"harvested from {self.source.name}: {listed.original_id}")[0]
        if not publish:
            resource = session.get(Resource, resource_id)
            resource.state = "submitted"
            record(session, self.actor, entity_type="resource", entity_id=resource_id,
                   department_id=resource.department_id, action="submit", from_state="draft", to_state="submitted",
                   comment=f"harvested from {self.source.name}")
        session.add(HarvestRecord(source_id=self.source.id, original_id=listed.original_id, resource_id=resource_id,
                                  content_hash=digest, harvested_at=utcnow()))

    def _update(self, session: Session, mine: HarvestRecord, resource: Resource, doc: dict, digest: str) -> None:
        registration = prepare_registration(session, self.actor, doc, check_permission=False)
        doc = registration.doc
        before = resource.state
        comment = f"harvested from {self.source.name}: {mine.original_id}"
        old = resource.public_doc or resource.doc
        code_change: list[dict] = []
        if doc["classification"] != resource.classification_code:
            _reclassify(session, resource, doc["classification"], code_change)   # refused once published
        if self.source.publish_policy == "direct":
            resource.published_doc = old if resource.published_at is not None else None
            resource.doc = doc
            changes = code_change + _publish(resource)
            resource.state, resource.is_public = "published", True
        else:
            if before == "published" or (before == "withdrawn" and resource.published_at is not None):
                resource.published_doc = resource.published_doc or old   # stays public until reviewed
            changes = code_change + diff_documents(resource.doc, doc)
            resource.doc = doc
            resource.state = "submitted"
            resource.is_public = resource.published_at is not None and before != "withdrawn"
        resource.title = doc["title"][:500]
        resource.version += 1
        resource.modified_at = utcnow()
        record(session, self.actor, entity_type="resource", entity_id=resource.id, department_id=resource.department_id,
               action="update", from_state=before, to_state=resource.state, comment=comment, changes=changes)
        queue_for_index(session, [resource.id])
        mine.content_hash, mine.harvested_at = digest, utcnow()

    # -- the job's end -------------------------------------------------------------------------
    def _withdraw_vanished(self, seen: set[str]) -> None:
        """Withdraw (in a dry run: report) this source's resources that the complete listing no longer has."""
        with self.database.reader() as session:
            vanished = [(r.original_id, r.resource_id) for r in session.execute(
                select(HarvestRecord.original_id, HarvestRecord.resource_id).join(
                    Resource, Resource.id == HarvestRecord.resource_id).where(
                    HarvestRecord.source_id == self.source.id, Resource.state != "withdrawn"))
                if r.original_id not in seen]
        if vanished and not seen:
            # An empty listing is far likelier a broken source than a department withdrawing everything.
            raise JobFailure("gather", f"the source listed no records; {len(vanished)} resources were kept")
        if self._dry_run:
            self._report.counters["withdrawn"] += len(vanished)
            self._report.changes += [{"original_id": o, "action": "withdraw"} for o, _r in vanished]
            return
        for original_id, resource_id in vanished:
            with self.database.transaction() as session:
                resource = session.get(Resource, resource_id)
                before = resource.state
                resource.state, resource.is_public = "withdrawn", False
                resource.version += 1
                resource.modified_at = utcnow()
                record(session, self.actor, entity_type="resource", entity_id=resource.id,
                       department_id=resource.department_id, action="withdraw", from_state=before,
                       to_state="withdrawn", comment=f"no longer listed by {self.source.name}: {original_id}")
                queue_for_index(session, [resource.id])
            self._report.counters["withdrawn"] += 1
            self._beat()
