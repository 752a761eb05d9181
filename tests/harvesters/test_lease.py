"""A running job's lease: renewed while the job waits on a slow source, short enough that a job of a
dead process elsewhere is taken over within a minute, and a run that lost its lease stops writing."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from harvesters import lease
from harvesters.base import JobAlreadyRunning
from harvesters.models import HarvestJob, HarvestRecord
from harvesters.services import run_source
from registry.db import utcnow
from tests.harvesters.conftest import catalog_page, dataset_doc


def two_pages(remote, *, delay: float) -> str:
    """A catalog whose second page takes ``delay`` seconds to come."""
    second = remote.serve("/p2", catalog_page({f"{remote.url}/datasets/2": dataset_doc(2)}), delay=delay)
    return remote.serve("/p1", catalog_page({f"{remote.url}/datasets/1": dataset_doc(1)},
                                            page_url=f"{remote.url}/p1", next_url=second))


def in_background(db, name: str) -> tuple[threading.Thread, dict]:
    outcome: dict = {}
    thread = threading.Thread(target=lambda: outcome.update(report=run_source(db, name)), daemon=True)
    thread.start()
    return thread, outcome


def running_job(db, timeout: float = 10) -> HarvestJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.reader() as session:
            job = session.scalars(select(HarvestJob).where(HarvestJob.status == "running")).first()
        if job is not None:
            return job
        time.sleep(0.02)
    raise AssertionError("no job started")


def test_the_lease_is_renewed_while_the_job_waits_on_a_slow_page(db, world, remote, make_source, monkeypatch):
    monkeypatch.setattr(lease, "RENEW_SECONDS", 0.1)
    make_source("slow", two_pages(remote, delay=1.5))
    thread, outcome = in_background(db, "slow")
    job = running_job(db)
    beats = set()
    while thread.is_alive():
        with db.reader() as session:
            beats.add(session.get(HarvestJob, job.id).heartbeat_at)
        time.sleep(0.1)
    assert outcome["report"].status == "succeeded"
    assert len(beats) >= 3          # no record moved for 1.5 s, yet the job kept saying it is alive


def test_a_job_of_another_host_is_taken_over_once_its_lease_has_run_out(db, world, remote, make_source):
    assert lease.LEASE <= timedelta(minutes=2)
    source_id = make_source("dept-a", remote.serve("/catalog.ttl", catalog_page({})))
    with db.transaction() as session:
        elsewhere = HarvestJob(source_id=source_id, status="running", started_at=utcnow(), owner="other-host:4242",
                               heartbeat_at=utcnow() - lease.LEASE + timedelta(seconds=10))
        session.add(elsewhere)
    with pytest.raises(JobAlreadyRunning):           # within its lease: it may still be at work
        run_source(db, "dept-a")
    with db.transaction() as session:
        session.get(HarvestJob, elsewhere.id).heartbeat_at = utcnow() - lease.LEASE - timedelta(seconds=1)
    assert run_source(db, "dept-a").status == "succeeded"
    with db.reader() as session:
        taken = session.get(HarvestJob, elsewhere.id)
        assert taken.status == "failed" and "stale" in taken.error


def test_a_run_that_lost_its_lease_stops_and_leaves_the_takers_verdict(db, world, remote, make_source, monkeypatch):
    monkeypatch.setattr(lease, "RENEW_SECONDS", 0.1)
    make_source("slow", two_pages(remote, delay=1.5))
    thread, outcome = in_background(db, "slow")
    job = running_job(db)
    with db.transaction() as session:     # what another host does once it judges the job dead
        taken = session.get(HarvestJob, job.id)
        taken.status, taken.error, taken.finished_at = "failed", "stale: taken over", utcnow()
    thread.join(30)
    report = outcome["report"]
    assert report.status == "failed" and report.error.startswith("lease:")
    with db.reader() as session:
        row = session.get(HarvestJob, job.id)
        assert (row.status, row.error) == ("failed", "stale: taken over")
        written = session.scalar(select(func.count()).select_from(HarvestRecord))
    assert written == row.created == 0          # what it listed after losing the lease was never written
