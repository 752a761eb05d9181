"""The harvest queue: due sources queued once however many consumers look, run now, and real consumers.

Queue tests run on both storages — Redis (``GOVCAT_TEST_REDIS_URL``, started by ``scripts/test``)
and a SQLite file — and on both databases.  The consumer tests start ``govcat worker`` as real
processes against the test's database, the remote catalogs served from 127.0.0.1.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from huey.storage import RedisStorage, SqliteStorage
from sqlalchemy import func, select

from harvesters import queue
from harvesters.cli import harvest, worker
from harvesters.models import HarvestJob, HarvestSource
from harvesters.queue import QueueUnavailable, enqueue_due, huey, request_run, storage_for
from registry.db import utcnow
from registry.errors import NotFound
from tests.conftest import require_engine
from tests.harvesters.conftest import catalog_page, dataset_doc

REDIS_URL = os.environ.get("GOVCAT_TEST_REDIS_URL")
ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 30


# -- fixtures and helpers ----------------------------------------------------------------------

def queue_url_of(kind: str, tmp_path: Path) -> str:
    if kind == "redis":
        require_engine(("redis",), bool(REDIS_URL),
                       "Redis queue tests skipped: GOVCAT_TEST_REDIS_URL is not set (scripts/test sets it)")
        return REDIS_URL
    return f"sqlite:///{tmp_path / 'queue.db'}"


@pytest.fixture(params=["redis", "sqlite"])
def queue_url(request, tmp_path) -> str:
    return queue_url_of(request.param, tmp_path)


@pytest.fixture
def queued(app, queue_url, monkeypatch):
    """The queue module pointed at an empty ``queue_url`` and bound to the test's app; restored after."""
    monkeypatch.setattr(queue, "_bound", None)
    monkeypatch.setattr(queue, "_connected_url", queue._connected_url)
    for attribute in ("storage", "storage_class", "storage_kwargs"):
        monkeypatch.setattr(huey, attribute, getattr(huey, attribute))
    app.config["GOVCAT_QUEUE_URL"] = queue_url
    queue.connect(queue_url)
    queue.bind(app)
    huey.flush()
    yield queue_url
    huey.flush()


@pytest.fixture
def catalogs(remote, make_source):
    """Sources ``name`` → catalog of two datasets (distinct across sources), served by ``remote``."""
    def make(*names: str, schedule: str | None = "1d", delay: float = 0.0, status: int = 200) -> list[str]:
        for i, name in enumerate(names):
            datasets = {f"{remote.url}/{name}/datasets/{n}": dataset_doc(10 * i + n) for n in range(2)}
            url = remote.serve(f"/{name}/catalog.ttl", catalog_page(datasets), delay=delay, status=status)
            make_source(name, url, schedule=schedule)
        return list(names)
    return make


def run_pending() -> list:
    """Execute the queued tasks here, as a consumer's worker would; their outcomes in order."""
    outcomes = []
    while huey.pending_count():
        outcomes.append(huey.execute(huey.dequeue()))
    return outcomes


def jobs_by_source(db) -> dict[str, list[tuple[str, str | None]]]:
    with db.reader() as session:
        rows = session.execute(select(HarvestSource.name, HarvestJob.status, HarvestJob.error).join(
            HarvestJob, HarvestJob.source_id == HarvestSource.id).order_by(HarvestJob.id)).all()
    jobs: dict[str, list] = {}
    for name, status, error in rows:
        jobs.setdefault(name, []).append((status, error))
    return jobs


def age_jobs(db, by: timedelta) -> None:
    """Move every job's start back by ``by``: the schedules' time passes."""
    with db.transaction() as session:
        for job in session.scalars(select(HarvestJob)):
            job.started_at -= by


def wait_for(condition, timeout: float = STARTUP_SECONDS, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


# -- the queue's address -----------------------------------------------------------------------

def test_the_setting_chooses_the_storage():
    assert storage_for("redis://queue.example.gov.cn:6379/2") == (RedisStorage, {"url": "redis://queue.example.gov.cn:6379/2"})
    assert storage_for("sqlite:////srv/govcat/queue.db") == (SqliteStorage, {"filename": "/srv/govcat/queue.db"})
    assert storage_for("sqlite:///queue.db") == (SqliteStorage, {"filename": "queue.db"})
    for unusable in ["", "sqlite:///", "postgresql://db/queue", "queue.db"]:
        with pytest.raises(ValueError, match="redis://host:port/db or sqlite:///path"):
            storage_for(unusable)


def test_the_periodic_tasks_run_every_minute_and_every_ten_minutes():
    for minute in (0, 1, 37, 50, 59):
        moment = utcnow().replace(minute=minute, second=0, microsecond=0, tzinfo=None)
        expected = {"enqueue_due"} | ({"check_links", "evaluation_snapshot"} if minute % 10 == 0 else set())
        assert {task.name for task in huey.read_periodic(moment)} == expected


def test_the_scheduled_link_check_runs_in_one_consumer_at_a_time(app, queued):
    app.config["GOVCAT_LINK_CHECK_EVERY"] = "1d"
    assert queue.check_links_due.call_local() == "nothing due"        # an empty catalog: no link
    assert queue._claim("", queue.LINKS_MARKER)                        # another consumer is checking
    assert queue.check_links_due.call_local() == "running elsewhere"
    huey.delete(queue.LINKS_MARKER)


# -- scheduling through the queue, in this process -----------------------------------------------

def test_a_due_source_is_queued_once_however_often_the_scheduler_looks(db, queued, catalogs):
    names = catalogs("dept-1", "dept-2", "dept-3")
    catalogs("manual", schedule=None)
    assert enqueue_due.call_local() == names
    assert enqueue_due.call_local() == []            # another consumer's scheduler, the same minute
    assert huey.pending_count() == 3

    outcomes = run_pending()
    assert [outcome.split(",")[0] for outcome in outcomes] == ["succeeded"] * 3
    assert "created 2" in outcomes[0]
    assert enqueue_due.call_local() == []            # ran just now: not due for a day
    assert {name: len(jobs) for name, jobs in jobs_by_source(db).items()} == dict.fromkeys(names, 1)

    age_jobs(db, timedelta(days=1, minutes=1))       # the next due period
    assert enqueue_due.call_local() == names
    assert enqueue_due.call_local() == []
    run_pending()
    assert {name: [status for status, _error in jobs] for name, jobs in jobs_by_source(db).items()} == \
        dict.fromkeys(names, ["succeeded", "succeeded"])


def test_a_marker_whose_task_was_lost_expires(db, queued, catalogs):
    catalogs("dept-1")
    assert enqueue_due.call_local() == ["dept-1"]
    assert huey.dequeue() is not None                 # a consumer took the task, then was killed outright
    assert enqueue_due.call_local() == []             # its marker still holds the source
    huey.put(queue._marker("dept-1"), time.time() - queue.QUEUED_EXPIRES.total_seconds() - 1)
    assert enqueue_due.call_local() == ["dept-1"]
    assert run_pending()[0].startswith("succeeded")


def test_a_task_whose_source_is_running(db, queued, catalogs):
    catalogs("dept-1")
    now = utcnow()
    with db.transaction() as session:
        source_id = session.scalar(select(HarvestSource.id).where(HarvestSource.name == "dept-1"))
        session.add(HarvestJob(source_id=source_id, status="running", started_at=now - timedelta(days=2),
                               heartbeat_at=now))
    assert enqueue_due.call_local() == []                                         # running: not due
    assert queue.harvest.call_local("dept-1") == "already running elsewhere"      # "run now"
    huey.put(queue._marker("dept-1"), time.time())
    assert queue.harvest.call_local("dept-1", scheduled=True) == "no longer due"  # queued, then it started
    assert huey.get(queue._marker("dept-1"), peek=True) is None                   # the marker went with it
    assert jobs_by_source(db) == {"dept-1": [("running", None)]}                  # the running job untouched


def test_a_failed_job_is_an_outcome_not_retried(app, db, queued, catalogs):
    catalogs("broken", status=500)
    request = request_run(app, "broken")
    assert request.report is None and request.task_id
    [outcome] = run_pending()
    assert outcome.startswith("failed, job ") and "HTTP 500" in outcome
    assert huey.pending_count() == 0 and huey.scheduled_count() == 0     # nothing queued again
    [(status, error)] = jobs_by_source(db)["broken"]
    assert status == "failed" and "HTTP 500" in error


# -- run now -------------------------------------------------------------------------------------

def test_run_now_runs_here_without_a_queue(app, db, catalogs):
    catalogs("dept-1")
    request = request_run(app, "dept-1")
    assert request.task_id is None
    assert (request.report.status, request.report.counters["created"]) == ("succeeded", 2)
    with pytest.raises(NotFound):
        request_run(app, "nobody")


def test_run_now_queues_with_a_queue(app, db, queued, catalogs):
    catalogs("dept-1")
    runner = CliRunner()
    result = runner.invoke(harvest, ["run", "dept-1", "--queue"], obj=app)
    assert result.exit_code == 0, result.output
    task_id = result.output.strip().rsplit(" ", 1)[-1]
    assert result.output.startswith("queued dept-1: task ") and len(task_id) == 36
    assert huey.pending_count() == 1 and jobs_by_source(db) == {}     # queued, not run
    assert run_pending()[0].startswith("succeeded")

    unknown = runner.invoke(harvest, ["run", "nobody", "--queue"], obj=app)
    assert unknown.exit_code == 1 and "nobody" in unknown.output
    assert huey.pending_count() == 0
    dry = runner.invoke(harvest, ["run", "dept-1", "--queue", "--dry-run"], obj=app)
    assert dry.exit_code == 2 and "cannot be queued" in dry.output


def test_queueing_without_a_reachable_queue_is_an_error(app, catalogs, monkeypatch):
    catalogs("dept-1")
    runner = CliRunner()
    none = runner.invoke(harvest, ["run", "dept-1", "--queue"], obj=app)
    assert none.exit_code == 1 and "no harvest queue is configured" in none.output

    for attribute in ("storage", "storage_class", "storage_kwargs"):
        monkeypatch.setattr(huey, attribute, getattr(huey, attribute))
    monkeypatch.setattr(queue, "_connected_url", queue._connected_url)
    app.config["GOVCAT_QUEUE_URL"] = "redis://127.0.0.1:1/0"       # nothing listens there
    with pytest.raises(QueueUnavailable):
        request_run(app, "dept-1")
    down = runner.invoke(harvest, ["run", "dept-1", "--queue"], obj=app)
    assert down.exit_code == 1 and "cannot be reached" in down.output
    assert runner.invoke(worker, ["--once"], obj=app).exit_code == 2    # --once is the loop's
    app.config["GOVCAT_QUEUE_URL"] = "amqp://127.0.0.1/"
    unusable = runner.invoke(harvest, ["run", "dept-1", "--queue"], obj=app)
    assert unusable.exit_code == 1 and "redis://host:port/db or sqlite:///path" in unusable.output
    refused = runner.invoke(worker, [], obj=app)
    assert refused.exit_code == 1 and "redis://host:port/db or sqlite:///path" in refused.output


# -- real consumers --------------------------------------------------------------------------------

@dataclass
class Worker:
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def start_worker(app, tmp_path):
    """Start ``govcat worker ARGS`` as a process on the test's database; stopped (by its id) after the test."""
    started: list[Worker] = []

    def start(queue_url: str, *args: str) -> Worker:
        env = {**os.environ, "GOVCAT_DATABASE_URL": app.config["GOVCAT_DATABASE_URL"],
               "GOVCAT_INSTANCE": app.config["GOVCAT_INSTANCE"], "GOVCAT_SECRET_KEY": app.config["GOVCAT_SECRET_KEY"],
               "GOVCAT_SEARCH_URL": app.config["GOVCAT_SEARCH_URL"], "GOVCAT_QUEUE_URL": queue_url}
        log = tmp_path / f"worker-{len(started) + 1}.log"
        with log.open("wb") as out:
            process = subprocess.Popen([sys.executable, "-m", "registry.cli", "worker", *args], env=env, cwd=ROOT,
                                       stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        started.append(Worker(process, log))
        return started[-1]

    yield start
    for running in started:
        if running.process.poll() is None:
            running.process.send_signal(signal.SIGTERM)
            try:
                running.process.wait(15)
            except subprocess.TimeoutExpired:
                running.process.kill()
                running.process.wait()


def settled(db, expected_jobs: int) -> bool:
    """All expected jobs ended and nothing is left in the queue."""
    with db.reader() as session:
        ended = session.scalar(select(func.count()).select_from(HarvestJob).where(HarvestJob.status != "running"))
        running = session.scalar(select(func.count()).select_from(HarvestJob).where(HarvestJob.status == "running"))
    return ended >= expected_jobs and running == 0 and huey.pending_count() == 0


def test_two_consumers_harvest_each_due_source_once_per_period(db, queued, catalogs, start_worker):
    names = catalogs("dept-1", "dept-2", "dept-3", "dept-4", delay=0.3)
    consumers = [start_worker(queued, "--workers", "2") for _ in range(2)]
    wait_for(lambda: all("consumer started" in c.output() for c in consumers), what="both consumers")
    wait_for(lambda: settled(db, 4), what="the first round of jobs")
    time.sleep(1.5)                               # room for a second harvest, if one were queued
    assert jobs_by_source(db) == {name: [("succeeded", None)] for name in names}
    lines = [line for c in consumers for line in c.output().splitlines() if ": succeeded, job " in line]
    assert sorted(line.split(" dept-")[1].split(":")[0] for line in lines) == ["1", "2", "3", "4"]
    assert all("created 2" in line for line in lines)

    age_jobs(db, timedelta(days=1, minutes=1))    # the next due period; both schedulers look at once
    enqueue_due()
    enqueue_due()
    wait_for(lambda: settled(db, 8), what="the second round of jobs")
    time.sleep(1.5)
    assert jobs_by_source(db) == {name: [("succeeded", None)] * 2 for name in names}

    for consumer in consumers:
        consumer.process.send_signal(signal.SIGTERM)
    assert [consumer.process.wait(15) for consumer in consumers] == [0, 0]


@pytest.mark.parametrize("storage", ["redis", "sqlite", "none"])
def test_a_worker_stopped_mid_job_leaves_it_failed_not_running(db, catalogs, start_worker, tmp_path, storage):
    catalogs("slow", delay=20)
    queue_url = "" if storage == "none" else queue_url_of(storage, tmp_path)
    if storage == "redis":
        RedisStorage(queue.NAME, url=queue_url).flush_all()
    running = start_worker(queue_url, *(["--workers", "1"] if queue_url else []))
    wait_for(lambda: jobs_by_source(db).get("slow") == [("running", None)], what="the job to start")
    running.process.send_signal(signal.SIGTERM)
    assert running.process.wait(15) == 0, running.output()
    assert jobs_by_source(db) == {"slow": [("failed", "interrupted")]}
    if queue_url:
        assert "slow: interrupted; its job is recorded failed" in running.output()


def test_ctrl_c_lets_the_running_job_finish(db, catalogs, start_worker, tmp_path):
    catalogs("slow", delay=2)
    running = start_worker(queue_url_of("sqlite", tmp_path), "--workers", "1")
    wait_for(lambda: jobs_by_source(db).get("slow") == [("running", None)], what="the job to start")
    running.process.send_signal(signal.SIGINT)
    assert running.process.wait(15) == 0, running.output()
    assert jobs_by_source(db) == {"slow": [("succeeded", None)]}
    assert "slow: succeeded, job " in running.output()
