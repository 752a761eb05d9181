"""Child processes that end with their parent.

A harvest job's mapping workers and its index drain process serve that job only.  If the job's
process is killed outright (``kill -9``), they must not live on as orphans holding memory, locks or
a database connection: on Linux each asks the kernel for SIGTERM when its parent dies
(``PR_SET_PDEATHSIG``).  Elsewhere this does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Have this process receive SIGTERM when the process that started it dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:        # the parent died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (a zombie counts as ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True
