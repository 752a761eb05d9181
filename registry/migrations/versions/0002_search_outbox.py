"""The search outbox: resources whose index documents wait to be rewritten.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 01:23:35.153141
"""
from alembic import op
import sqlalchemy as sa
import registry.db


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('search_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('queued_at', registry.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_outbox'))
    )
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_outbox_resource_id'), ['resource_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_outbox_resource_id'))

    op.drop_table('search_outbox')
