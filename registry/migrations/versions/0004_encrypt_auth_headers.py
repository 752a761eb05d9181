"""Harvest sources' auth headers encrypted at rest (stored values gain the ``enc:v1:`` prefix).

The key comes from the app's ``GOVCAT_SECRET_KEY`` through the connection (``govcat init`` runs
migrations on the app's database); a database with auth headers to convert and no key refuses
to upgrade rather than leave them readable.  The schema does not change: the column stays text.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 03:40:00.000000
"""
from alembic import op
import sqlalchemy as sa

from registry.secrets import Keyring, SecretUnreadable, is_sealed, keyring_of

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

sources = sa.table('harvest_sources', sa.column('id', sa.Integer()), sa.column('auth_header', sa.Text()))


def _stored_headers(connection) -> list:
    return list(connection.execute(sa.select(sources.c.id, sources.c.auth_header).where(
        sources.c.auth_header.is_not(None))))


def _keyring(connection, rows) -> Keyring | None:
    keyring = keyring_of(connection)
    if keyring is None and rows:
        raise RuntimeError("harvest sources' auth headers need GOVCAT_SECRET_KEY: run migrations with 'govcat init'")
    return keyring


def upgrade() -> None:
    connection = op.get_bind()
    rows = [row for row in _stored_headers(connection) if not is_sealed(row.auth_header)]
    keyring = _keyring(connection, rows)
    for row in rows:
        connection.execute(sources.update().where(sources.c.id == row.id).values(
            auth_header=keyring.seal(row.auth_header)))


def downgrade() -> None:
    connection = op.get_bind()
    rows = [row for row in _stored_headers(connection) if is_sealed(row.auth_header)]
    keyring = _keyring(connection, rows)
    for row in rows:
        try:
            plain = keyring.open(row.auth_header)
        except SecretUnreadable as error:
            raise RuntimeError(f"cannot decrypt the auth header of harvest source {row.id}: {error}") from None
        connection.execute(sources.update().where(sources.c.id == row.id).values(auth_header=plain))
