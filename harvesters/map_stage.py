"""The map stage of a harvest job — fetch → map → defaults, derivations and the schema → profile →
content hash — in the job's process or, for big jobs, in worker processes.

It uses nothing but the record and the source's plain fields (name, address, defaults, publish
policy, the department's credit code and branch), so a worker holds a mapping-only copy of the
harvester: no network, no database.  Failures are data (:class:`Mapped` with its ``failure``).
"""
from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
from types import SimpleNamespace

from marshmallow import ValidationError

from harvesters.completion import NotKeepable, complete_record
from harvesters.records import JobFailure, Listed, Mapped, RecordFailure, _message, _reason, content_hash
from registry.collector import settle_for_bulk_work
from registry.errors import ServiceError
from registry.lifetime import die_with_parent
from vocab.profile import check_document

log = logging.getLogger(__name__)
PROFILE_BASE = "http://localhost"   # where a record is checked against govcat's profile, as if published


def map_records(harvester, chunk: list[tuple[Listed, str | None]]) -> list[Mapped]:
    """fetch → map → defaults, derivations and the schema (bad values dropped) → profile → content hash,
    for each record of ``chunk``; failures are data, and so are the values dropped and the fields missing."""
    results = []
    source = harvester.source
    for listed, raw_hash in chunk:
        stage = "fetch"
        try:
            raw = harvester.fetch(listed)
            stage = "map"
            completed = complete_record(harvester.map(raw), defaults=source.defaults,
                                        credit_code=source.department.credit_code,
                                        branch_code=source.department.branch_code,
                                        publish_directly=source.publish_policy == "direct")
            doc = completed.doc
            if not completed.missing:    # a record to be completed is checked when it is completed
                violations = [f for f in check_document(doc, PROFILE_BASE) if f.severity == "Violation"]
                if violations:
                    raise RecordFailure("map", "govcat profile: " + "; ".join(
                        _finding_text(f) for f in violations[:10]), reason="govcat profile")
            results.append(Mapped(listed.original_id, raw_hash, doc, content_hash(doc), harvester.resource_code(raw),
                                  missing=completed.missing, warnings=completed.warnings))
        except RecordFailure as failure:
            results.append(Mapped(listed.original_id, raw_hash, failure=(
                failure.stage, failure.message, failure.snippet or harvester.snippet(listed), failure.reason)))
        except NotKeepable as failure:
            results.append(Mapped(listed.original_id, raw_hash, failure=(
                "map", failure.message, harvester.snippet(listed), failure.reason)))
        except JobFailure:
            raise
        except Exception as error:   # one bad record never fails the job
            if not isinstance(error, (ValidationError, ServiceError)):
                log.warning("harvest of %s failed on %s", harvester.source.name, listed.original_id, exc_info=True)
            reason = "classified" if isinstance(error, ValidationError) and "classified" in error.messages \
                else _reason(_message(error))
            results.append(Mapped(listed.original_id, raw_hash,
                                  failure=(stage, _message(error), harvester.snippet(listed), reason)))
    return results


def _finding_text(finding) -> str:
    where = f" {finding.path}" if finding.path else ""
    value = f" (value {finding.value})" if finding.value else ""
    return f"{where.strip() or finding.focus}{value}: {finding.message}"


class _Done:
    """A chunk mapped in this process, looking like one handed to the pool."""

    def __init__(self, value):
        self.value = value

    def ready(self) -> bool:
        return True

    def get(self):
        return self.value


_worker = None     # this worker process's mapping-only harvester


def start_pool(harvester):
    """Worker processes for the map stage, each with a mapping-only copy of the harvester (no network, no database)."""
    source = harvester.source
    state = {"name": source.name, "url": source.url, "defaults": source.defaults,
             "publish_policy": source.publish_policy, "credit_code": source.department.credit_code,
             "branch_code": source.department.branch_code}
    kind = f"{type(harvester).__module__}:{type(harvester).__qualname__}"
    context = multiprocessing.get_context("spawn")   # no inherited connections, locks or threads
    return context.Pool(min(4, os.cpu_count() or 1), initializer=_init_worker, initargs=(kind, state))


def _init_worker(kind: str, state: dict) -> None:
    global _worker
    module, _colon, name = kind.partition(":")
    cls = getattr(importlib.import_module(module), name)
    _worker = cls.__new__(cls)
    _worker.source = SimpleNamespace(name=state["name"], url=state["url"], defaults=state["defaults"],
                                     publish_policy=state["publish_policy"],
                                     department=SimpleNamespace(credit_code=state["credit_code"],
                                                                branch_code=state["branch_code"]))
    settle_for_bulk_work()
    die_with_parent()            # a job killed outright leaves no mapping worker behind


def _map_in_worker(chunk: list[tuple]) -> list[Mapped]:
    return map_records(_worker, [(Listed(original_id, data), raw_hash) for original_id, data, raw_hash in chunk])
