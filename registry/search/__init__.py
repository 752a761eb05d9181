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
    app.extensions["govcat.search.drainer"] = threading.Lock()
    if not app.testing:
        from registry.search.analysis import warm

        threading.Thread(target=warm, name="govcat-search-warm", daemon=True).start()
    if app.config.get("GOVCAT_SEARCH_DRAIN_SECONDS", 0) and not app.testing:
        @app.before_request
        def _drain_in_the_background():
            # A serving process starts its drainer when it starts (start_background_drain); this is the
            # fallback for servers that build the app some other way.  Command-line runs never start it.
            start_background_drain(app)


def start_background_drain(app: Flask) -> bool:
    """Start this process's drainer — a daemon thread that drains the outbox every
    ``GOVCAT_SEARCH_DRAIN_SECONDS``, so the index catches up after a restart or an engine outage
    with no request needed — once per app; ``False`` when it runs already or draining is off."""
    from registry.db import get_db
    from registry.search.outbox import drain_every

    seconds = app.config.get("GOVCAT_SEARCH_DRAIN_SECONDS", 0)
    if not seconds or not app.extensions["govcat.search.drainer"].acquire(blocking=False):
        return False
    threading.Thread(target=drain_every, args=(seconds, threading.Event(), get_db(app), get_engine(app)),
                     name="govcat-search-drainer", daemon=True).start()
    return True
