"""The collector settings of bulk work last as long as the work, and cycles are still collected."""
from __future__ import annotations

import gc
import weakref

import pytest

from registry.collector import YOUNG_THRESHOLD, bulk_work


class Node:
    pass


def test_bulk_work_restores_the_collector_even_when_it_fails():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), bulk_work():
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD and gc.get_freeze_count() > 0
        raise RuntimeError("the job broke")
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_cycles_made_during_bulk_work_are_still_collected():
    with bulk_work():
        node = Node()
        node.me = node
        gone = weakref.ref(node)
        del node
        garbage = [[] for _ in range(2 * YOUNG_THRESHOLD)]     # allocations enough for a collection
        assert gone() is None
        del garbage


def test_jobs_side_by_side_restore_the_collector_when_the_last_one_ends():
    before = gc.get_threshold()
    first, second = bulk_work(), bulk_work()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)            # the first job ends while the second still runs
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
