"""Metadata quality: each resource's current score and the history of its published score.

* ``quality_scores``: one row per resource — the published version's points, band, completeness and
  missed criteria (empty while nothing is public) and the working copy's.
* ``quality_history``: a row each time a resource's published score changes.

Existing resources are scored by ``govcat quality recompute`` (not here: it reads every document).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 20:15:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
import registry.db

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    json = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
    op.create_table(
        'quality_scores',
        sa.Column('resource_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('points', sa.Integer(), nullable=True),
        sa.Column('band', sa.String(length=12), nullable=True),
        sa.Column('complete', sa.Boolean(), nullable=True),
        sa.Column('missed', json, nullable=True),
        sa.Column('incomplete_fields', json, nullable=True),
        sa.Column('working_points', sa.Integer(), nullable=False),
        sa.Column('working_band', sa.String(length=12), nullable=False),
        sa.Column('working_complete', sa.Boolean(), nullable=False),
        sa.Column('working_missed', json, nullable=False),
        sa.Column('working_incomplete_fields', json, nullable=False),
        sa.Column('computed_at', registry.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_quality_scores_resource_id_resources')),
        sa.PrimaryKeyConstraint('resource_id', name=op.f('pk_quality_scores')),
    )
    op.create_index('ix_quality_scores_department_band', 'quality_scores', ['department_id', 'band'])
    op.create_table(
        'quality_history',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('resource_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('points', sa.Integer(), nullable=False),
        sa.Column('band', sa.String(length=12), nullable=False),
        sa.Column('complete', sa.Boolean(), nullable=False),
        sa.Column('missed', json, nullable=False),
        sa.Column('recorded_at', registry.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_quality_history_resource_id_resources')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_history')),
    )
    op.create_index('ix_quality_history_resource', 'quality_history', ['resource_id', 'recorded_at'])
    op.create_index('ix_quality_history_department', 'quality_history', ['department_id', 'recorded_at'])


def downgrade() -> None:
    op.drop_index('ix_quality_history_department', table_name='quality_history')
    op.drop_index('ix_quality_history_resource', table_name='quality_history')
    op.drop_table('quality_history')
    op.drop_index('ix_quality_scores_department_band', table_name='quality_scores')
    op.drop_table('quality_scores')
