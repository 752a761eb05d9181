"""Harvest records note the digest of the record as the source gave it; pages of a listing are noted.

A record whose source form did not change since the last run is then counted unchanged without
being mapped at all (the content hash of the mapped document stays the authority when it did),
and a page whose bytes did not change, and whose records were all taken, is not even parsed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 04:10:00.000000
"""
from alembic import op
import sqlalchemy as sa
import registry.db
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('harvest_records') as batch:
        batch.add_column(sa.Column('raw_hash', sa.String(length=64), nullable=True))
    op.create_table(
        'harvest_pages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=2000), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('next_url', sa.String(length=2000), nullable=True),
        sa.Column('original_ids', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
        sa.Column('noted_at', registry.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['source_id'], ['harvest_sources.id'], name=op.f('fk_harvest_pages_source_id_harvest_sources')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_harvest_pages')),
        sa.UniqueConstraint('source_id', 'url', name='uq_harvest_pages_source_url'),
    )


def downgrade() -> None:
    op.drop_table('harvest_pages')
    with op.batch_alter_table('harvest_records') as batch:
        batch.drop_column('raw_hash')
