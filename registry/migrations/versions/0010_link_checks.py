"""Link checks: the last answer of every access and download URL of the published catalog.

One row per URL (found by ``url_key``, the SHA-256 of the URL, since a URL can be longer than an
index entry may be), with what it answered, where its redirects ended, how long it took, and a
few counters (checks made, dead answers in a row, the last time it answered).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 20:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import registry.db

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'link_checks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('url_key', sa.String(length=64), nullable=False),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=True),
        sa.Column('status', sa.Integer(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('final_url', sa.Text(), nullable=True),
        sa.Column('redirects', sa.Integer(), nullable=False),
        sa.Column('elapsed_ms', sa.Integer(), nullable=True),
        sa.Column('checked_at', registry.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('checks', sa.Integer(), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_ok_at', registry.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_link_checks')),
        sa.UniqueConstraint('url_key', name=op.f('uq_link_checks_url_key')),
    )
    op.create_index('ix_link_checks_checked_at', 'link_checks', ['checked_at'])


def downgrade() -> None:
    op.drop_index('ix_link_checks_checked_at', table_name='link_checks')
    op.drop_table('link_checks')
