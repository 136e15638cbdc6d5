"""outbox.group_key: order only the parts of one logical message

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_key', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_group_key'), ['group_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_group_key'))
        batch_op.drop_column('group_key')
