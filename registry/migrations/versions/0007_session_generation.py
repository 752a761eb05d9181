"""Users carry a session generation: signing out, a new password or deactivation ends every session.

A browser session names its user and the generation it was opened under; raising the generation
makes every earlier session (and remember-me cookie) stale at its next request.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 16:10:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('session_generation', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('session_generation')
