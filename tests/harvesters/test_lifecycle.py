"""The job lifecycle with a source type that lists from memory: what a new type has to write, and the heartbeat."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from harvesters import base
from harvesters.base import Harvester, Listed
from harvesters.models import HarvestJob, HarvestSource
from tests.harvesters.conftest import dataset_doc


class MemorySource(Harvester):
    """A source type is a listing and a mapping; this one also notes the job's heartbeat as it lists."""

    type = "memory"

    def __init__(self, database, source, docs):
        super().__init__(database, source)
        self.docs, self.heartbeats = docs, []

    def gather(self):
        for original_id, doc in self.docs.items():
            yield Listed(original_id, doc)
            with self.database.reader() as session:
                self.heartbeats.append(session.scalar(select(HarvestJob.heartbeat_at).where(
                    HarvestJob.status == "running")))

    def map(self, raw):
        return raw


def test_a_source_type_only_lists_and_maps_and_the_heartbeat_moves(db, world, make_source, monkeypatch):
    monkeypatch.setattr(base, "HEARTBEAT_SECONDS", 0)
    source_id = make_source("memory", "http://127.0.0.1/unused")
    with db.reader() as session:
        source = session.get(HarvestSource, source_id)
        session.expunge(source)
    harvester = MemorySource(db, source, {f"urn:memory:{n}": dataset_doc(n) for n in range(3)})
    report = harvester.run()
    assert (report.status, report.counters["created"]) == ("succeeded", 3)
    assert len(harvester.heartbeats) == 3 and harvester.heartbeats == sorted(harvester.heartbeats)
    assert harvester.heartbeats[-1] > harvester.heartbeats[0]
    with db.reader() as session:
        job = session.get(HarvestJob, report.job_id)
        assert job.created == 3 and job.heartbeat_at >= harvester.heartbeats[-1]


def test_a_job_interrupted_right_after_its_row_is_opened_is_recorded_failed(db, world, make_source, monkeypatch):
    source_id = make_source("memory", "http://127.0.0.1/unused")
    with db.reader() as session:
        source = session.get(HarvestSource, source_id)
        session.expunge(source)
    opened = Harvester._start

    def interrupted(self):        # a signal lands after the row's commit, before the lifecycle takes over
        opened(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(Harvester, "_start", interrupted)
    with pytest.raises(KeyboardInterrupt):
        MemorySource(db, source, {"urn:memory:1": dataset_doc(1)}).run()
    with db.reader() as session:
        job = session.scalars(select(HarvestJob)).one()
        assert (job.status, job.error, job.finished_at is not None) == ("failed", "interrupted", True)


def test_progress_is_told_the_counters_as_the_job_goes_and_at_its_end(db, world, remote, make_source, monkeypatch):
    from harvesters.services import run_source
    from tests.harvesters.conftest import catalog_page

    monkeypatch.setattr(base, "HEARTBEAT_SECONDS", 0)
    make_source("dept-a", remote.serve("/c.ttl", catalog_page({f"{remote.url}/d/{n}": dataset_doc(n) for n in range(3)})))
    seen = []
    report = run_source(db, "dept-a", progress=seen.append)
    assert seen and seen[-1] == {"listed": 3, **report.counters} and seen[-1]["created"] == 3
