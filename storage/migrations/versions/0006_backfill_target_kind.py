"""targets.kind backfilled: places from their categories, village forms as villages

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-29 20:20:00

Data only. Before 0002 every target was a household. A target whose categories
include a 004 place category (机关, 企事业单位, 学校, 商铺, 医院, 市场, 企业) is a
place; the 村（社区）调查表's own target (added by the bot with its unit's kind, 村
or 社区, as its only category and the unit's name as its name) is a village, and
loses that marker category (the roster has no 村 category; an export would not re-import).
Downgrading leaves the column as it is (0002 drops it).
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0003'
branch_labels = None
depends_on = None

PLACE_CATEGORIES = ('企业', '商铺', '学校', '医院', '市场', '机关', '企事业单位')
VILLAGE_KINDS = ('村', '社区')


def upgrade() -> None:
    bind = op.get_bind()
    targets = sa.table(
        'targets',
        sa.column('id', sa.Integer),
        sa.column('head_name', sa.String),
        sa.column('unit_id', sa.Integer),
        sa.column('categories', sa.JSON),
        sa.column('kind', sa.String),
    )
    units = sa.table('units', sa.column('id', sa.Integer), sa.column('name', sa.String))
    unit_names = dict(bind.execute(sa.select(units.c.id, units.c.name)).all())
    changes: dict[str, list[int]] = {'place': [], 'village': []}
    rows = bind.execute(
        sa.select(targets.c.id, targets.c.head_name, targets.c.unit_id, targets.c.categories)
        .where(targets.c.kind == 'household')
    )
    for tid, name, unit_id, categories in rows:
        cats = list(categories or [])
        if any(c in PLACE_CATEGORIES for c in cats):
            changes['place'].append(tid)
        elif len(cats) == 1 and cats[0] in VILLAGE_KINDS and name == unit_names.get(unit_id):
            changes['village'].append(tid)
    for kind, ids in changes.items():
        # A village's 村/社区 "category" was only a marker; the roster has no such category.
        values = {'kind': kind, 'categories': []} if kind == 'village' else {'kind': kind}
        for start in range(0, len(ids), 500):
            bind.execute(
                sa.update(targets)
                .where(targets.c.id.in_(ids[start:start + 500]))
                .values(**values)
            )


def downgrade() -> None:
    pass
