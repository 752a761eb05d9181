"""Harvest sources, their jobs, the errors of a job, and the provenance of every harvested resource.

A :class:`HarvestSource` is a department system the catalog pulls metadata from.  Each run is a
:class:`HarvestJob` whose outcome is data: a status, counters, and one :class:`HarvestError` row per
record that could not be taken (with the stage it failed in and a snippet of what was read).
A :class:`HarvestRecord` ties a harvested resource to the source and the original identifier it
came from, with the content hash that lets the next run skip records that did not change.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import Base, JSONDocument, UTCDateTime, utcnow
from registry.departments.models import Department
from registry.secrets import EncryptedText, UnreadableSecret

PUBLISH_POLICIES = ("direct", "review")
JOB_STATUSES = ("running", "succeeded", "failed", "dry_run")
COUNTERS = ("created", "updated", "unchanged", "withdrawn", "failed", "duplicates", "incomplete", "warnings")
SEVERITIES = ("error", "warning")


class HarvestSource(Base):
    __tablename__ = "harvest_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    type: Mapped[str] = mapped_column(String(24))
    url: Mapped[str] = mapped_column(String(2000))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    schedule: Mapped[str | None] = mapped_column(String(100))
    # "direct": records are published as harvested; "review": they wait as submitted registrations.
    publish_policy: Mapped[str] = mapped_column(String(16), default="direct")
    # Metadata the source does not carry (e.g. share_type), filled into every record it gives.
    defaults: Mapped[dict | None] = mapped_column(JSONDocument)
    # Sent with every request to the source; never logged, never shown; encrypted at rest.
    # Read as an UnreadableSecret when the secret key changed since it was stored.
    auth_header: Mapped[str | UnreadableSecret | None] = mapped_column(EncryptedText)
    # The largest document the source may send, in bytes (None: the fetcher's default).
    max_bytes: Mapped[int | None] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    department: Mapped[Department] = relationship(lazy="joined")

    def __repr__(self) -> str:  # the auth header stays out of logs and tracebacks
        return f"<HarvestSource {self.id} {self.name!r} {self.type} {self.url!r}>"


@event.listens_for(HarvestSource, "load")
@event.listens_for(HarvestSource, "refresh")
def _name_an_unreadable_header(source: HarvestSource, _context, _attributes=None) -> None:
    """An auth header that cannot be decrypted says whose it is when a harvest tries to use it."""
    header = source.__dict__.get("auth_header")
    if isinstance(header, UnreadableSecret):
        header.label = f"auth header of harvest source {source.__dict__.get('name', source.id)}"


class HarvestJob(Base):
    __tablename__ = "harvest_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("harvest_sources.id"))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Which process runs it ("host:pid"): a rerun on the same host that finds it gone takes over at once.
    owner: Mapped[str | None] = mapped_column(String(255))
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    withdrawn: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    # Records stored to be completed (待补录: guide fields missing), and values dropped with a warning.
    incomplete: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    warnings: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Errors and warnings grouped by reason, and the guide fields records lack (see harvesters.guidance).
    summary: Mapped[dict | None] = mapped_column(JSONDocument)
    # Why the job failed as a whole (None for a job that ran to its end).
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_harvest_jobs_source_status", "source_id", "status", "id"),)


class HarvestError(Base):
    __tablename__ = "harvest_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("harvest_jobs.id"), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    # "error": the record was not taken; "warning": one value was dropped, the record was kept.
    severity: Mapped[str] = mapped_column(String(8), default="error", server_default="error")
    field: Mapped[str | None] = mapped_column(String(200))
    # A short key the report groups by (e.g. "invalid: distributions.access_url").
    reason: Mapped[str | None] = mapped_column(String(200))
    record_id: Mapped[str | None] = mapped_column(String(2000))
    message: Mapped[str] = mapped_column(Text)
    snippet: Mapped[str | None] = mapped_column(Text)


class HarvestRecord(Base):
    """Where a harvested resource came from: its source, its original identifier (IRI), when."""

    __tablename__ = "harvest_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("harvest_sources.id"))
    original_id: Mapped[str] = mapped_column(String(1000))
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    # Digest of the record as the source gave it (with the mapping's fingerprint): unchanged → not even mapped.
    raw_hash: Mapped[str | None] = mapped_column(String(64))
    # The metadata fields the source gave at its last harvest; the others are the department's
    # (completed by an editor) and a later harvest leaves them alone.  None: every field is the source's.
    owned_fields: Mapped[list | None] = mapped_column(JSONDocument)
    harvested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("source_id", "original_id", name="uq_harvest_records_source_original"),
        # The same dataset offered by another source is found by its original identifier.
        Index("ix_harvest_records_original_id", "original_id"),
    )


class HarvestPage(Base):
    """A page of a source's listing as the last run read it, when every record on it was taken.

    The next run that gets the same bytes from the same address (and maps records the same way:
    the digest includes the mapping's fingerprint) counts the page's records unchanged without
    parsing it — a catalog that did not change is re-checked at the speed it can be downloaded.
    """

    __tablename__ = "harvest_pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("harvest_sources.id"))
    url: Mapped[str] = mapped_column(String(2000))
    digest: Mapped[str] = mapped_column(String(64))
    next_url: Mapped[str | None] = mapped_column(String(2000))
    original_ids: Mapped[list] = mapped_column(JSONDocument)
    noted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("source_id", "url", name="uq_harvest_pages_source_url"),)
