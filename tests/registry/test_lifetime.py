"""A job's child processes end with it, even when it is killed outright."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from registry.lifetime import process_alive

PARENT = """
import multiprocessing, sys, time
from registry.lifetime import die_with_parent

def child():
    die_with_parent()
    time.sleep(60)

if __name__ == "__main__":
    process = multiprocessing.get_context("spawn").Process(target=child)
    process.start()
    print(process.pid, flush=True)
    time.sleep(60)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_child_ends_when_its_parent_is_killed_outright(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": os.getcwd()})
    child = int(parent.stdout.readline())
    time.sleep(1.0)                     # the child has asked for the signal
    assert process_alive(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while process_alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not process_alive(child)
