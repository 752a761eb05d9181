"""``govcat harvest run`` killed outright (kill -9) midway: its job says what it wrote, its helper processes
end with it, and the source can be run again at once, the rerun taking what the killed run did not."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from harvesters.models import HarvestJob, HarvestRecord
from harvesters.services import run_source
from registry.lifetime import process_alive
from registry.resources.models import Resource
from tests.harvesters.conftest import catalog_page, dataset_doc

ROOT = Path(__file__).resolve().parents[2]
PAGES, PER_PAGE = 16, 100


def slow_catalog(remote) -> str:
    """A catalog of PAGES pages; every page after the first takes a while to come."""
    urls = [f"{remote.url}/page/{n}" for n in range(PAGES)]
    for n, url in enumerate(urls):
        docs = {f"{remote.url}/datasets/{n * PER_PAGE + k}": dataset_doc(n * PER_PAGE + k) for k in range(PER_PAGE)}
        remote.serve(f"/page/{n}", catalog_page(docs, page_url=url, next_url=urls[n + 1] if n + 1 < PAGES else None),
                     delay=0.4 if n else 0)
    return urls[0]


def descendants(pid: int) -> set[int]:
    """The processes started by ``pid``, and theirs."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def wait_for(condition, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {timeout} s\n" + log.read_text(errors="replace")[-3000:]
        time.sleep(0.1)


def test_a_killed_run_says_what_it_wrote_leaves_no_orphans_and_is_rerun_at_once(app, db, world, remote, make_source,
                                                                                 tmp_path):
    make_source("big", slow_catalog(remote))
    env = {**os.environ, "GOVCAT_DATABASE_URL": app.config["GOVCAT_DATABASE_URL"],
           "GOVCAT_INSTANCE": app.config["GOVCAT_INSTANCE"], "GOVCAT_SECRET_KEY": app.config["GOVCAT_SECRET_KEY"],
           "GOVCAT_SEARCH_URL": app.config.get("GOVCAT_SEARCH_URL") or ""}
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        run = subprocess.Popen([sys.executable, "-m", "registry.cli", "harvest", "run", "big"], env=env, cwd=ROOT,
                               stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        def midway() -> bool:      # records written, and mapping workers started (a big job's are)
            assert run.poll() is None, "the run ended before it was killed"
            with db.reader() as session:
                return bool(session.scalar(select(HarvestJob.created))) and bool(descendants(run.pid))
        wait_for(midway, 90, "no records written with mapping workers running", log)
        helpers = descendants(run.pid)
        run.send_signal(signal.SIGKILL)
        run.wait(10)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()

    wait_for(lambda: not any(process_alive(pid) for pid in helpers), 10, "helper processes outlived their run", log)
    with db.reader() as session:
        killed = session.scalars(select(HarvestJob)).one()
        written = session.scalar(select(func.count()).select_from(HarvestRecord))
    assert killed.status == "running"                   # nobody could say otherwise: it was killed outright
    assert 0 < killed.created == written < PAGES * PER_PAGE

    report = run_source(db, "big")                      # at once: no lease to wait out on this host
    assert report.status == "succeeded"
    assert report.counters["unchanged"] == written and report.counters["created"] == PAGES * PER_PAGE - written
    with db.reader() as session:
        first = session.get(HarvestJob, killed.id)
        assert first.status == "failed" and "ended without finishing" in first.error
        assert session.scalar(select(func.count()).select_from(Resource)) == PAGES * PER_PAGE
