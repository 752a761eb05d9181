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
    # Plain ADD COLUMN (no batch copy): other tables refer to these, and SQLite could not drop the old copies.
    json = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
    op.add_column('harvest_records', sa.Column('owned_fields', json, nullable=True))
    op.add_column('harvest_errors', sa.Column('severity', sa.String(length=8), nullable=False, server_default='error'))
    op.add_column('harvest_errors', sa.Column('field', sa.String(length=200), nullable=True))
    op.add_column('harvest_errors', sa.Column('reason', sa.String(length=200), nullable=True))
    op.add_column('harvest_jobs', sa.Column('incomplete', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('harvest_jobs', sa.Column('warnings', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('harvest_jobs', sa.Column('summary', json, nullable=True))
    op.add_column('harvest_sources', sa.Column('max_bytes', sa.BigInteger(), nullable=True))
    op.add_column('resources', sa.Column('missing_fields', json, nullable=True))


def downgrade() -> None:
    for table, column in [('resources', 'missing_fields'), ('harvest_sources', 'max_bytes'),
                          ('harvest_jobs', 'summary'), ('harvest_jobs', 'warnings'), ('harvest_jobs', 'incomplete'),
                          ('harvest_errors', 'reason'), ('harvest_errors', 'field'), ('harvest_errors', 'severity'),
                          ('harvest_records', 'owned_fields')]:
        drop_column(table, column)


def drop_column(table: str, column: str) -> None:
    """DROP COLUMN in place (SQLite 3.35+ has it): a batch copy of a table others refer to would fail."""
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
    else:
        op.drop_column(table, column)
