"""Alembic environment: migrations run on the connection that ``registry.migrate`` hands over."""
from alembic import context

from registry import all_tables

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through 'govcat init' (registry.migrate.upgrade)")

context.configure(connection=connection, target_metadata=all_tables(), render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
