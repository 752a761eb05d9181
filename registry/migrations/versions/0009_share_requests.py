"""Sharing requests between departments, their grants, and notifications inside the catalog.

``share_requests`` keeps every request with its answer; ``share_grants`` a grant's items, period and
revocation; ``notifications`` the messages each user reads in the catalog.  A partial unique index
allows one open (pending) request per requesting department and resource.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 20:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import registry.db

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

OPEN = sa.text("state = 'pending'")


def upgrade() -> None:
    op.create_table(
        'share_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('resource_id', sa.Integer(), nullable=False),
        sa.Column('provider_department_id', sa.Integer(), nullable=False),
        sa.Column('requester_id', sa.Integer(), nullable=False),
        sa.Column('requester_department_id', sa.Integer(), nullable=False),
        sa.Column('share_type', sa.String(length=16), nullable=False),
        sa.Column('purpose', sa.Text(), nullable=False),
        sa.Column('legal_basis', sa.Text(), nullable=False),
        sa.Column('items', registry.db.JSONDocument, nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('created_at', registry.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('answered_at', registry.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('answer_reason', sa.Text(), nullable=True),
        sa.Column('overdue_flagged_at', registry.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_share_requests_resource_id_resources')),
        sa.ForeignKeyConstraint(['provider_department_id'], ['departments.id'],
                                name=op.f('fk_share_requests_provider_department_id_departments')),
        sa.ForeignKeyConstraint(['requester_id'], ['users.id'], name=op.f('fk_share_requests_requester_id_users')),
        sa.ForeignKeyConstraint(['requester_department_id'], ['departments.id'],
                                name=op.f('fk_share_requests_requester_department_id_departments')),
        sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_share_requests_answered_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_share_requests')),
    )
    op.create_index('ix_share_requests_resource_id', 'share_requests', ['resource_id'])
    op.create_index('uq_share_requests_open', 'share_requests', ['requester_department_id', 'resource_id'],
                    unique=True, sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index('ix_share_requests_provider', 'share_requests', ['provider_department_id', 'state', 'created_at'])
    op.create_index('ix_share_requests_requester', 'share_requests', ['requester_department_id', 'state', 'created_at'])
    op.create_index('ix_share_requests_due', 'share_requests', ['state', 'due_on'])
    op.create_table(
        'share_grants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('items', registry.db.JSONDocument, nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('expires_on', sa.Date(), nullable=False),
        sa.Column('granted_at', registry.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('granted_by_id', sa.Integer(), nullable=True),
        sa.Column('revoked_at', registry.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('revoked_by_id', sa.Integer(), nullable=True),
        sa.Column('revoke_reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['request_id'], ['share_requests.id'], name=op.f('fk_share_grants_request_id_share_requests')),
        sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_share_grants_granted_by_id_users')),
        sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_share_grants_revoked_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_share_grants')),
        sa.UniqueConstraint('request_id', name=op.f('uq_share_grants_request_id')),
    )
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=True),
        sa.Column('message_zh', sa.Text(), nullable=False),
        sa.Column('message_en', sa.Text(), nullable=False),
        sa.Column('created_at', registry.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('read_at', registry.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
        sa.ForeignKeyConstraint(['request_id'], ['share_requests.id'],
                                name=op.f('fk_notifications_request_id_share_requests')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    )
    op.create_index('ix_notifications_user', 'notifications', ['user_id', 'read_at', 'id'])


def downgrade() -> None:
    op.drop_index('ix_notifications_user', table_name='notifications')
    op.drop_table('notifications')
    op.drop_table('share_grants')
    for name in ('ix_share_requests_due', 'ix_share_requests_requester', 'ix_share_requests_provider',
                 'uq_share_requests_open', 'ix_share_requests_resource_id'):
        op.drop_index(name, table_name='share_requests')
    op.drop_table('share_requests')
