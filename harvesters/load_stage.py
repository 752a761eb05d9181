"""The compare → load stage of a harvest job: a batch of mapped records into the catalog.

Creates and updates, :data:`harvesters.base.LOAD_BATCH` records a transaction with the audit trail
and the search outbox in the same transaction; a batch that fails is retried record by record.
New records are published, submitted for review (the source's policy) or, lacking the guide's
fields, stored to be completed; updates keep what the department completed (the fields the source
does not own).  A mixin of :class:`harvesters.base.Harvester`, whose job state it reads and writes.
"""
from __future__ import annotations

import logging

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from harvesters.models import HarvestJob, HarvestRecord, HarvestSource
from harvesters.records import Known, Mapped, _message
from registry.audit.services import diff_documents, record, record_many
from vocab.codes import parse_resource_code
from registry.db import utcnow
from registry.errors import ServiceError
from registry.resources.models import Resource
from registry.resources.schemas import missing_fields
from registry.resources.services import _publish, _reclassify, prepare_registration, register_resources
from registry.quality.services import score_written
from registry.search.outbox import queue_for_index

log = logging.getLogger(__name__)


class LoadStage:
    """Compare → load for :class:`harvesters.base.Harvester` (see the module's docstring)."""

    def _load_batch(self) -> None:
        batch, self._batch = self._batch, []
        if not batch:
            return
        creates = [m for m, known in batch if known is None]
        with self.database.reader() as session:
            duplicates = self._duplicates(session, creates)
        batch = [(m, k) for m, k in batch if m.original_id not in duplicates]
        for original_id, why in duplicates.items():
            self._fail(original_id, "compare", why, None, "duplicates", reason="duplicate")
        if self._dry_run:
            self._dry_load(batch)
            return
        try:
            with self.database.transaction() as session:
                outcomes = self._write(session, batch)
                self._commit_counts(session, outcomes)
        except Exception:     # one record's write broke the batch's transaction: retry each alone
            log.info("harvest of %s: a batch failed, loading its records one by one", self.source.name)
            outcomes = []
            for item in batch:
                try:
                    with self.database.transaction() as session:
                        written = self._write(session, [item])
                        self._commit_counts(session, outcomes + written)
                    outcomes += written
                except Exception as error:
                    self._fail(item[0].original_id, "load", _message(error), None)
        known_of = {m.original_id: k for m, k in batch}
        for mapped, action in outcomes:
            if isinstance(action, Known):           # created: what the rest of the run compares with
                self._known[mapped.original_id] = action
                action = "created"
            known = known_of.get(mapped.original_id)
            if known is not None and action in ("updated", "noted"):    # committed: what the next compare sees
                known.content_hash, known.raw_hash = mapped.digest, mapped.raw_hash
            if action in ("created", "updated"):
                self._report.counters[action] += 1
                if mapped.missing:
                    self._report.counters["incomplete"] += 1
                    self._report.tally.note_missing(mapped.missing)
            elif action.startswith("failed:"):
                self._fail(mapped.original_id, "load", action[7:], None)

    def _commit_counts(self, session: Session, outcomes: list) -> None:
        """The job's counters as they will be once ``outcomes`` count, written in the same transaction as
        the records they count: a job killed outright still says what it wrote."""
        counters = dict(self._report.counters)
        for mapped, action in outcomes:
            kind = "created" if isinstance(action, Known) else action
            if kind in ("created", "updated"):
                counters[kind] += 1
                counters["incomplete"] += bool(mapped.missing)
        session.execute(update(HarvestJob).where(HarvestJob.id == self._report.job_id).values(**counters))

    def _duplicates(self, session: Session, creates: list[Mapped]) -> dict[str, str]:
        """The new records that are already in the catalog: from another source, or by their resource code."""
        if not creates:
            return {}
        found = {}
        ids = [m.original_id for m in creates]
        for original_id, resource_id, name in session.execute(
                select(HarvestRecord.original_id, HarvestRecord.resource_id, HarvestSource.name)
                .join(HarvestSource, HarvestSource.id == HarvestRecord.source_id)
                .where(HarvestRecord.original_id.in_(ids), HarvestRecord.source_id != self.source.id)):
            found.setdefault(original_id, f"already harvested from source {name} as resource {resource_id}")
        codes = {m.code: m.original_id for m in creates if m.code and parse_resource_code(m.code)
                 and m.original_id not in found}
        if codes:
            for code, resource_id in session.execute(select(Resource.code, Resource.id)
                                                     .where(Resource.code.in_(list(codes)))):
                found[codes[code]] = f"resource code {code} is already in the catalog (resource {resource_id})"
        for m in creates:      # the same code twice in one run: the first sighting is the record
            if m.code and parse_resource_code(m.code) and m.original_id not in found:
                if m.code in self._codes_seen:
                    found[m.original_id] = f"resource code {m.code} was already taken from this source in this run"
                self._codes_seen.add(m.code)
        return found

    def _dry_load(self, batch: list) -> None:
        with self.database.reader() as session:
            for mapped, known in batch:
                if known and known.content_hash == mapped.digest:
                    continue
                try:
                    prepare_registration(session, self.actor, mapped.doc, check_permission=False, normalized=True)
                except Exception as error:
                    self._fail(mapped.original_id, "load", _message(error), None)
                    continue
                action = "created" if known is None else "updated"
                self._report.changes.append({"original_id": mapped.original_id, "action": action[:-1],
                                             **({"missing": mapped.missing} if mapped.missing else {})})
                self._report.counters[action] += 1
                if mapped.missing:
                    self._report.counters["incomplete"] += 1
                    self._report.tally.note_missing(mapped.missing)

    def _write(self, session: Session, batch: list) -> list[tuple[Mapped, str]]:
        """Write one batch in ``session``: creates together, updates one by one; say what became of each."""
        outcomes, creates = [], []
        for mapped, known in batch:
            if known is None:
                try:
                    creates.append((mapped, prepare_registration(session, self.actor, mapped.doc,
                                                                 check_permission=False, normalized=True)))
                except ServiceError as error:
                    outcomes.append((mapped, "failed:" + _message(error)))
            elif known.content_hash == mapped.digest and known.state != "withdrawn":
                session.execute(update(HarvestRecord).where(HarvestRecord.id == known.record_id)
                                .values(raw_hash=mapped.raw_hash))
                outcomes.append((mapped, "noted"))
            else:
                try:
                    self._update(session, known, mapped)
                    outcomes.append((mapped, "updated"))
                except ServiceError as error:
                    outcomes.append((mapped, "failed:" + _message(error)))
        if creates:
            outcomes += self._create(session, creates)
        return outcomes

    def _create(self, session: Session, creates: list) -> list[tuple[Mapped, Known]]:
        """New records: complete ones published or submitted (the source's policy), the others stored
        to be completed (待补录), not public; each with its provenance and the fields the source owns."""
        publish = self.source.publish_policy == "direct"
        complete = [(m, r) for m, r in creates if not m.missing]
        incomplete = [(m, r) for m, r in creates if m.missing]
        ids = self._register(session, complete, publish=publish)
        if complete and not publish:
            self._move(session, ids, complete, "submit", "submitted", f"harvested from {self.source.name}")
        incomplete_ids = self._register(session, incomplete, publish=False)
        if incomplete:
            self._move(session, incomplete_ids, incomplete, "mark_incomplete", "incomplete",
                       [f"harvested from {self.source.name}; to be completed: {', '.join(m.missing)}"
                        for m, _r in incomplete])
        ordered = complete + incomplete
        now = utcnow()
        record_ids = session.scalars(insert(HarvestRecord).returning(HarvestRecord.id, sort_by_parameter_order=True), [
            {"source_id": self.source.id, "original_id": m.original_id, "resource_id": rid, "content_hash": m.digest,
             "raw_hash": m.raw_hash, "owned_fields": sorted(m.doc), "harvested_at": now}
            for rid, (m, _r) in zip(ids + incomplete_ids, ordered)])
        states = ["published" if publish else "submitted"] * len(complete) + ["incomplete"] * len(incomplete)
        return [(m, Known(record_id, rid, m.digest, m.raw_hash, state))
                for record_id, rid, (m, _r), state in zip(record_ids, ids + incomplete_ids, ordered, states)]

    def _register(self, session: Session, creates: list, *, publish: bool) -> list[int]:
        return register_resources(session, self.actor, [r for _m, r in creates], publish=publish,
                                  comments=[f"harvested from {self.source.name}: {m.original_id}" for m, _r in creates])

    def _move(self, session: Session, ids: list[int], creates: list, action: str, state: str, comments) -> None:
        """New drafts ``ids`` go on to ``state``, each with its audit event (and, to be completed, what it lacks)."""
        if state == "incomplete":
            session.execute(update(Resource), [{"id": rid, "missing_fields": m.missing}
                                               for rid, (m, _r) in zip(ids, creates)])
        session.execute(update(Resource).where(Resource.id.in_(ids)).values(state=state))
        comments = comments if isinstance(comments, list) else [comments] * len(ids)
        record_many(session, self.actor, [
            {"entity_type": "resource", "entity_id": rid, "department_id": r.department.id, "action": action,
             "from_state": "draft", "to_state": state, "comment": comment}
            for rid, (_m, r), comment in zip(ids, creates, comments)])

    def _update(self, session: Session, known: Known, mapped: Mapped) -> None:
        # On PostgreSQL, lock the resource row against a concurrent edit; SQLite writers are serialized.
        lock = {"of": Resource} if session.get_bind().dialect.name == "postgresql" else None
        resource = session.get(Resource, known.resource_id, with_for_update=lock)
        mine = session.get(HarvestRecord, known.record_id)
        # What the department completed (the fields the source did not give last time) stays its own.
        completed = {} if mine.owned_fields is None else {
            k: v for k, v in resource.doc.items() if k not in mine.owned_fields and k not in mapped.doc}
        merged = {**mapped.doc, **completed}
        registration = prepare_registration(session, self.actor, merged, check_permission=False, normalized=True)
        doc = registration.doc
        mapped.missing = missing_fields(doc) if completed else mapped.missing
        if completed and self.source.publish_policy == "direct" and not doc.get("issued") and "issued" not in mapped.missing:
            mapped.missing.append("issued")
        before = resource.state
        comment = f"harvested from {self.source.name}: {mine.original_id}"
        old = resource.public_doc or resource.doc
        code_change: list[dict] = []
        if doc["classification"] != resource.classification_code:
            _reclassify(session, resource, doc["classification"], code_change)   # refused once published
        if mapped.missing:     # to be completed: the published version, if any, stays public
            if before == "published" or (before == "withdrawn" and resource.published_at is not None):
                resource.published_doc = resource.published_doc or old
            changes = code_change + diff_documents(resource.doc, doc)
            resource.doc, resource.state, resource.missing_fields = doc, "incomplete", mapped.missing
            resource.is_public = resource.published_at is not None and before != "withdrawn"
        elif self.source.publish_policy == "direct":
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
        if not mapped.missing:
            resource.missing_fields = None
        resource.title = doc["title"][:500]
        resource.version += 1
        resource.modified_at = utcnow()
        record(session, self.actor, entity_type="resource", entity_id=resource.id, department_id=resource.department_id,
               action="update", from_state=before, to_state=resource.state, comment=comment, changes=changes)
        score_written(session, [resource], validated=True)
        queue_for_index(session, [resource.id])
        mine.content_hash, mine.raw_hash, mine.harvested_at = mapped.digest, mapped.raw_hash, utcnow()
        mine.owned_fields = sorted(set(mapped.doc) - set(completed))
        known.state = resource.state
