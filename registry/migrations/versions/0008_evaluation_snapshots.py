"""Daily snapshots of the evaluation's scorecards, for trends.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 20:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
import registry.db

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'evaluation_snapshots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('taken_at', registry.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
                  nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_snapshots')),
        sa.UniqueConstraint('day', name=op.f('uq_evaluation_snapshots_day')),
    )


def downgrade() -> None:
    op.drop_table('evaluation_snapshots')
