"""Harvesting: sources, jobs, their errors, and the provenance of harvested resources.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 02:27:20.853748
"""
from alembic import op
import sqlalchemy as sa
import registry.db
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('harvest_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('type', sa.String(length=24), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('schedule', sa.String(length=100), nullable=True),
    sa.Column('publish_policy', sa.String(length=16), nullable=False),
    sa.Column('defaults', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('auth_header', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', registry.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_harvest_sources_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_harvest_sources')),
    sa.UniqueConstraint('name', name=op.f('uq_harvest_sources_name'))
    )
    op.create_table('harvest_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', registry.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', registry.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', registry.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('withdrawn', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('duplicates', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['harvest_sources.id'], name=op.f('fk_harvest_jobs_source_id_harvest_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_harvest_jobs'))
    )
    with op.batch_alter_table('harvest_jobs', schema=None) as batch_op:
        batch_op.create_index('ix_harvest_jobs_source_status', ['source_id', 'status', 'id'], unique=False)

    op.create_table('harvest_errors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('record_id', sa.String(length=2000), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('snippet', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['harvest_jobs.id'], name=op.f('fk_harvest_errors_job_id_harvest_jobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_harvest_errors'))
    )
    with op.batch_alter_table('harvest_errors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_harvest_errors_job_id'), ['job_id'], unique=False)

    op.create_table('harvest_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('original_id', sa.String(length=1000), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('harvested_at', registry.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_harvest_records_resource_id_resources')),
    sa.ForeignKeyConstraint(['source_id'], ['harvest_sources.id'], name=op.f('fk_harvest_records_source_id_harvest_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_harvest_records')),
    sa.UniqueConstraint('source_id', 'original_id', name='uq_harvest_records_source_original')
    )
    with op.batch_alter_table('harvest_records', schema=None) as batch_op:
        batch_op.create_index('ix_harvest_records_original_id', ['original_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_harvest_records_resource_id'), ['resource_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('harvest_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_harvest_records_resource_id'))
        batch_op.drop_index('ix_harvest_records_original_id')

    op.drop_table('harvest_records')
    with op.batch_alter_table('harvest_errors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_harvest_errors_job_id'))

    op.drop_table('harvest_errors')
    with op.batch_alter_table('harvest_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_harvest_jobs_source_status')

    op.drop_table('harvest_jobs')
    op.drop_table('harvest_sources')
