"""Creating and upgrading the database schema with Alembic, on SQLite and PostgreSQL alike."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from registry.db import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _run(database: Database, step, revision: str) -> None:
    with database.write_engine.begin() as connection:
        config = _config()
        config.attributes["connection"] = connection
        step(config, revision)


def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (creating it on an empty database)."""
    _run(database, command.upgrade, revision)


def downgrade(database: Database, revision: str) -> None:
    """Take the schema back to ``revision`` (``"base"``: no tables at all)."""
    _run(database, command.downgrade, revision)


def current_revision(database: Database) -> str | None:
    with database.read_engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head()


def autogenerate(database: Database, message: str) -> None:
    """For developers: write a new migration from the difference between models and database."""
    _run(database, lambda config, text: command.revision(config, message=text, autogenerate=True), message)
