"""What the page tests share: the demo catalog, loaded and indexed."""
from __future__ import annotations

import pytest

from registry.demo.loader import load_demo
from registry.search import get_engine
from registry.search.outbox import drain


@pytest.fixture
def demo(app, db):
    load_demo(db)
    drain(db, get_engine(app))
