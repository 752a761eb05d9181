"""The migrations build exactly the schema the models describe, and can be undone, on every engine."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from registry.migrate import current_revision, downgrade, head_revision, upgrade
from registry import all_tables


def test_migrated_schema_matches_the_models(db):
    assert current_revision(db) == head_revision()
    with db.write_engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), all_tables()) == []


def test_upgrade_is_idempotent_and_downgrade_works(db):
    upgrade(db)
    downgrade(db, "base")
    assert current_revision(db) is None
    upgrade(db)
    assert current_revision(db) == head_revision()
