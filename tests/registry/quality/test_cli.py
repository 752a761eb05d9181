"""``govcat quality recompute``, as an operator runs it after an upgrade."""
from __future__ import annotations

import json

from sqlalchemy import func, select

from registry.db import Database
from registry.quality.models import QualityScore
from tests.registry.test_cli import govcat  # noqa: F401 (the fixture)


def test_recompute_scores_the_demo_catalog_and_reports_progress(govcat, database_url):
    govcat("init")
    govcat("demo", "--no-serve")
    database = Database(database_url)
    with database.transaction() as session:
        total = session.scalar(select(func.count()).select_from(QualityScore))
        session.execute(QualityScore.__table__.delete())
    result = govcat("quality", "recompute", "--jobs", "1", "--json")
    assert json.loads(result.stdout) == {"scored": total, "changed": total}
    assert f"scored {total}/{total}" in result.stderr
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(QualityScore)) == total
    assert json.loads(govcat("quality", "recompute", "--json").stdout)["changed"] == 0
    database.dispose()
