"""Search: one query contract, two engines — embedded (tantivy) by default, or Elasticsearch/OpenSearch.

``init_app`` picks the engine from ``GOVCAT_SEARCH_URL`` and puts it in ``app.extensions``;
views and commands ask :func:`get_engine` for it.  Search never imports the views.
"""
from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, current_app

from registry.search.engine import SearchEngine


def make_engine(config: dict) -> SearchEngine:
    url = config.get("GOVCAT_SEARCH_URL") or ""
    if not url:
        from registry.search.embedded import EmbeddedEngine
        return EmbeddedEngine(Path(config["GOVCAT_INSTANCE"]) / "search")
    from registry.search.server import ServerEngine
    return ServerEngine.from_config(config)


def get_engine(app: Flask | None = None) -> SearchEngine:
    return (app or current_app).extensions["govcat.search"]


def index_after_commit() -> None:
    """Bring the index up to date with what the current request committed (an outage only logs)."""
    from registry.db import get_db
    from registry.search.outbox import drain_quietly

    drain_quietly(get_db(), get_engine())


def init_app(app: Flask) -> None:
    app.extensions["govcat.search"] = make_engine(app.config)
    seconds = app.config.get("GOVCAT_SEARCH_DRAIN_SECONDS", 0)
    if seconds and not app.testing:
        started = threading.Lock()

        @app.before_request
        def _drain_in_the_background():
            # Started by the first request a process serves: command-line runs never start it.
            if started.acquire(blocking=False):
                _start_drainer(app, seconds)


def _start_drainer(app: Flask, seconds: int) -> None:
    """A daemon thread per process that drains the outbox, so a backlog clears when the engine returns."""
    from registry.db import get_db
    from registry.search.outbox import drain_every

    threading.Thread(target=drain_every, args=(seconds, threading.Event(), get_db(app), get_engine(app)),
                     name="govcat-search-drainer", daemon=True).start()
