"""Harvesting what foreign systems publish: records to be completed, warnings, owned fields, size caps.

* ``harvest_records.owned_fields``: the metadata fields the source gave at its last harvest; the
  others were completed by the department and a later harvest leaves them alone.
* ``harvest_errors.severity`` (``error`` or ``warning``: a value dropped, the record kept),
  ``harvest_errors.field`` and ``harvest_errors.reason`` (a short key the report groups by).
* ``harvest_jobs.incomplete`` and ``harvest_jobs.warnings``: records stored to be completed, and
  values dropped; ``harvest_jobs.summary``: the job's errors and warnings grouped by reason, and
  how many records lack each guide field.
* ``harvest_sources.max_bytes``: the largest document the source may send (empty: the default).
* ``resources.missing_fields``: what a record to be completed (state ``incomplete``) lacks.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 15:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('harvest_records') as batch:
        batch.add_column(sa.Column('owned_fields', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'),
                                   nullable=True))
    with op.batch_alter_table('harvest_errors') as batch:
        batch.add_column(sa.Column('severity', sa.String(length=8), nullable=False, server_default='error'))
        batch.add_column(sa.Column('field', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('reason', sa.String(length=200), nullable=True))
    with op.batch_alter_table('harvest_jobs') as batch:
        batch.add_column(sa.Column('incomplete', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('warnings', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('summary', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'),
                                   nullable=True))
    with op.batch_alter_table('harvest_sources') as batch:
        batch.add_column(sa.Column('max_bytes', sa.BigInteger(), nullable=True))
    with op.batch_alter_table('resources') as batch:
        batch.add_column(sa.Column('missing_fields', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('resources') as batch:
        batch.drop_column('missing_fields')
    with op.batch_alter_table('harvest_sources') as batch:
        batch.drop_column('max_bytes')
    with op.batch_alter_table('harvest_jobs') as batch:
        batch.drop_column('summary')
        batch.drop_column('warnings')
        batch.drop_column('incomplete')
    with op.batch_alter_table('harvest_errors') as batch:
        batch.drop_column('reason')
        batch.drop_column('field')
        batch.drop_column('severity')
    with op.batch_alter_table('harvest_records') as batch:
        batch.drop_column('owned_fields')
