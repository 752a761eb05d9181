"""Python's cyclic garbage collector, set for bulk work (harvests, drains).

Bulk work makes millions of short-lived objects (terms, documents, rows) that form almost no
reference cycles.  At its default thresholds the collector runs every 700 allocations and, every
so often, walks the whole long-lived heap — the hundreds of thousands of objects the imported
libraries hold — again and again: measured on a harvest, that cost more than reading the records
(``bench/harvest.py --stages``).  Bulk work therefore leaves the objects that exist before it out of
collections (``gc.freeze``) and collects the young generation less often.  Cycles are still
collected, only later.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

YOUNG_THRESHOLD = 1_000_000   # new objects still alive between collections of the young generation (default 700)
OLDER_THRESHOLD = 100        # collections of a generation between collections of the next (default 10)


def settle_for_bulk_work() -> None:
    """For a process that does nothing but bulk work (a harvest's mapping worker): for good."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, OLDER_THRESHOLD, OLDER_THRESHOLD)


@contextmanager
def bulk_work():
    """For the time of one bulk job in a process that does other things too; restored after the last
    of the jobs running side by side (threads of a web process) ends."""
    global _running, _saved
    with _lock:
        if _running == 0:
            _saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(YOUNG_THRESHOLD, OLDER_THRESHOLD, OLDER_THRESHOLD)
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0:
                gc.set_threshold(*_saved)
                gc.unfreeze()


_lock = threading.Lock()
_running = 0
_saved: tuple = gc.get_threshold()
