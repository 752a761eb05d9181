"""The data of a harvest job: what a source listed, what the map stage made of it, what the job did.

Outcomes are data (see :mod:`harvesters.base`): a listed record, a mapped one or why not, the
job's report.  Exceptions carry what happened; only the job's lifecycle writes it down.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

import orjson
from marshmallow import ValidationError

from harvesters.guidance import Tally, guidance
from harvesters.models import COUNTERS
from registry.errors import ServiceError
from vocab.mapping import canonical_metadata

SNIPPET_CHARS = 1000


class JobFailure(Exception):
    """The job cannot go on (the listing failed midway, a paging loop…): nothing is withdrawn."""

    def __init__(self, stage: str, message: str):
        super().__init__(message)
        self.stage, self.message = stage, message


class RecordFailure(Exception):
    """One record cannot be taken; the job goes on.  ``reason``: the short key the report groups by."""

    def __init__(self, stage: str, message: str, snippet: str | None = None, reason: str | None = None):
        super().__init__(message)
        self.stage, self.message, self.snippet, self.reason = stage, message, snippet, reason


class JobAlreadyRunning(Exception):
    """A job of this source is running and its heartbeat is fresh."""


@dataclass
class Listed:
    """One record as the source listed it: its original identifier (an IRI) and what the type needs."""

    original_id: str
    data: Any
    unchanged: bool = False     # on a page that did not change since every record on it was taken


@dataclass
class PageNote:
    """A page read in this run, to be remembered if all its records end up taken."""

    url: str
    digest: str
    next_url: str | None
    original_ids: list[str]


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
    tally: Tally = field(default_factory=Tally)

    def as_dict(self) -> dict:
        return {"job": self.job_id, "source": self.source, "status": self.status, "error": self.error,
                **self.counters, "summary": guidance(self.tally.summary(), self.source), "errors": self.errors,
                "changes": self.changes}


@dataclass(frozen=True)
class HarvestActor:
    """Who the audit trail names for harvested changes: the source, not a person."""

    username: str
    id: None = None
    department: None = None


def content_hash(doc: dict) -> str:
    """SHA-256 of the canonical form of ``doc``: equal for documents RDF cannot tell apart."""
    canonical = canonical_metadata(doc)
    try:    # orjson's sorted compact form is the standard library's, byte for byte, several times faster
        data = orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS)
    except TypeError:    # what orjson refuses (integers past 64 bits)
        data = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


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


@dataclass
class Known:
    """A record this source harvested before, as the compare stage needs it."""

    record_id: int
    resource_id: int
    content_hash: str
    raw_hash: str | None
    state: str


@dataclass
class Mapped:
    """What the map stage made of one listed record: a document, or why not."""

    original_id: str
    raw_hash: str | None = None
    doc: dict | None = None
    digest: str | None = None
    code: str | None = None
    failure: tuple[str, str, str | None, str] | None = None     # stage, message, snippet, reason
    unchanged: bool = False                                  # skipped: the raw record is as stored
    missing: list[str] = field(default_factory=list)         # guide fields it lacks: stored to be completed
    warnings: list[dict] = field(default_factory=list)       # values dropped ({"field", "reason", "value"})


def _reason(message: str) -> str:
    """A short key to group a failure by: its message without the record's own values."""
    return re.sub(r"\s+", " ", message.split(": {", 1)[0].split(" (value", 1)[0])[:120]
