"""Draining the search outbox: writers never wait for the engine, drains take turns, a drain process of its own."""
from __future__ import annotations

import threading
import time

from registry.search import get_engine
from registry.search.outbox import BackgroundDrain, backlog, drain, queue_for_index
from registry.search.services import status
from tests.registry.search.test_api import publish

WAIT = 20    # seconds before a test gives up on something that should happen at once


class HeldEngine:
    """The real engine, but each write waits until the test lets it go; it counts writes in progress."""

    def __init__(self, engine):
        self.engine = engine
        self.entered, self.release = threading.Event(), threading.Event()
        self.writing = self.most_at_once = self.writes = 0
        self.lock = threading.Lock()

    def write(self, documents, deletions):
        with self.lock:
            self.writing += 1
            self.writes += 1
            self.most_at_once = max(self.most_at_once, self.writing)
        self.entered.set()
        try:
            assert self.release.wait(WAIT), "the test never released the write"
            self.engine.write(documents, deletions)
        finally:
            with self.lock:
                self.writing -= 1

    def __getattr__(self, name):
        return getattr(self.engine, name)


def _queue(db, resource_id: int) -> None:
    with db.transaction() as session:
        queue_for_index(session, [resource_id])


def _in_thread(function) -> threading.Thread:
    thread = threading.Thread(target=function, daemon=True)
    thread.start()
    return thread


def test_a_writer_does_not_wait_while_the_engine_indexes_and_its_change_gets_a_batch_of_its_own(app, client,
                                                                                              world, db):
    rid = publish(client, world, title="交通统计")
    held = HeldEngine(get_engine(app))
    _queue(db, rid)
    draining = _in_thread(lambda: drain(db, held))
    assert held.entered.wait(WAIT)
    writer = _in_thread(lambda: _queue(db, rid))        # a change committed while the engine indexes
    writer.join(WAIT)
    assert not writer.is_alive(), "a writer waited for the search engine"
    held.release.set()
    draining.join(WAIT)
    assert held.writes == 2                              # queued during the write: read again and written again
    with db.reader() as session:
        assert backlog(session) == 0
    assert status(db, held.engine)["in_step"] is True


def test_drains_take_turns(app, client, world, db):
    rid = publish(client, world, title="交通统计")
    held = HeldEngine(get_engine(app))
    _queue(db, rid)
    first = _in_thread(lambda: drain(db, held))
    assert held.entered.wait(WAIT)
    _queue(db, rid)
    second = _in_thread(lambda: drain(db, held))
    time.sleep(0.5)                                      # the second drain has found rows and waits for its turn
    held.release.set()
    first.join(WAIT)
    second.join(WAIT)
    assert not first.is_alive() and not second.is_alive()
    assert held.most_at_once == 1
    with db.reader() as session:
        assert backlog(session) == 0


def test_a_background_drain_indexes_from_a_process_of_its_own(app, client, world, db):
    rids = [publish(client, world, title=f"交通统计{n}") for n in range(3)]
    engine = get_engine(app)
    engine.write([], [f"{kind}{rid}" for rid in rids for kind in "pw"])   # the index lost them
    for rid in rids:
        _queue(db, rid)
    background = BackgroundDrain(app.config)
    background.start()
    try:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            with db.reader() as session:
                if backlog(session) == 0:
                    break
            time.sleep(0.2)
    finally:
        background.stop()
    assert status(db, engine)["in_step"] is True
    assert client.get("/api/v1/resources?q=交通").get_json()["total"] == 3
