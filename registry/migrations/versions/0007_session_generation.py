"""Users carry a session generation: signing out, a new password or deactivation ends every session;
failed sign-ins are kept a while, so that guessing passwords meets a limit.

A browser session names its user and the generation it was opened under; raising the generation
makes every earlier session (and remember-me cookie) stale at its next request.  ``login_failures``
holds one row per wrong password (by account and by client address), shared by every web process.
``harvest_jobs.owner`` names the process running a job ("host:pid"): a rerun on the same host that
finds that process gone takes over at once instead of waiting for the heartbeat to go stale.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 16:10:00.000000
"""
from alembic import op
import sqlalchemy as sa
import registry.db

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): other tables refer to users, and SQLite could not drop the old copy.
    op.add_column('users', sa.Column('session_generation', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('harvest_jobs', sa.Column('owner', sa.String(length=255), nullable=True))
    op.create_table(
        'login_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('at', registry.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures')),
    )
    op.create_index('ix_login_failures_key_at', 'login_failures', ['key', 'at'])


def downgrade() -> None:
    op.drop_index('ix_login_failures_key_at', table_name='login_failures')
    op.drop_table('login_failures')
    drop_column('users', 'session_generation')
    drop_column('harvest_jobs', 'owner')


def drop_column(table: str, column: str) -> None:
    """DROP COLUMN in place (SQLite 3.35+ has it): a batch copy of a table others refer to would fail."""
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
    else:
        op.drop_column(table, column)
