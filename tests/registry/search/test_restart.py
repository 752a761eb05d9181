"""A serving process starts its search drainer when it starts: after a restart the index catches up
with what was written meanwhile, before any request arrives."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from registry.resources.services import create_resource
from registry.search.outbox import backlog
from tests.factories import ResourceDataFactory

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_restarted_server_brings_the_index_in_step_with_no_request(app, db, world, tmp_path):
    with db.transaction() as session:      # written while no server runs: queued, not indexed
        for n in range(3):
            create_resource(session, world.editor_a.user, ResourceDataFactory(title=f"重启后的资源{n}"))
    with db.reader() as session:
        assert backlog(session) == 3
    env = {**os.environ, "GOVCAT_DATABASE_URL": app.config["GOVCAT_DATABASE_URL"],
           "GOVCAT_INSTANCE": app.config["GOVCAT_INSTANCE"], "GOVCAT_SECRET_KEY": app.config["GOVCAT_SECRET_KEY"],
           "GOVCAT_SEARCH_URL": app.config.get("GOVCAT_SEARCH_URL") or "", "GOVCAT_SEARCH_DRAIN_SECONDS": "1"}
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "registry.cli", "serve", "--port", str(free_port()),
                                   "--workers", "1"], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL)
    try:
        deadline, left = time.monotonic() + 60, 3
        while time.monotonic() < deadline and left:
            time.sleep(0.5)
            with db.reader() as session:
                left = backlog(session)
        assert left == 0, log.read_text(errors="replace")[-2000:]
        assert "GET" not in log.read_text(errors="replace")          # no request was needed
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
