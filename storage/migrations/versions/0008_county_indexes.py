"""indexes for county scale: targets by unit, problems by assignee unit

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 23:50:00

Every place scope filters ``targets.unit_id`` (digests, exports, 进度 of a unit) and
escalation, the ledger and the digests look problems up by ``assignee_unit_id``; at
100 000 households both were sequential scans.
"""
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_targets_unit_id'), ['unit_id'], unique=False)
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_problems_assignee_unit_id'), ['assignee_unit_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problems_assignee_unit_id'))
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_targets_unit_id'))
