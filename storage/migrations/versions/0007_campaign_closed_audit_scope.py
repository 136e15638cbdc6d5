"""campaigns.closed_at / redacted_at (retention); audit_log.scope and an actor index

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 23:30:00
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', storage.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('redacted_at', storage.models.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=200), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_audit_log_actor'), ['actor'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_actor'))
        batch_op.drop_column('scope')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('redacted_at')
        batch_op.drop_column('closed_at')
