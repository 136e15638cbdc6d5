"""coverage snapshot: a campaign's coverage cells, counted each minute

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 02:20:00

A county leader's 进度 counted 100 000 households per message (1-2 s on PostgreSQL);
a unit of more than ``storage.facts.snapshot.LIVE_UNITS`` units reads these cells,
counted by the scheduler every minute, and says as of when.
"""
import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'coverage_snapshot',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('grid', sa.String(length=50), nullable=False),
        sa.Column('cadre_id', sa.Integer(), nullable=False),
        sa.Column('cadre_unit_id', sa.Integer(), nullable=False),
        sa.Column('assigned', sa.Integer(), nullable=False),
        sa.Column('covered', sa.Integer(), nullable=False),
        sa.Column('counted_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id']),
        sa.ForeignKeyConstraint(['cadre_unit_id'], ['units.id']),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('coverage_snapshot', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_coverage_snapshot_campaign_id'), ['campaign_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('coverage_snapshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coverage_snapshot_campaign_id'))
    op.drop_table('coverage_snapshot')
