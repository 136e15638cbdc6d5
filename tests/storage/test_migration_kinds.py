"""Migration 0006: existing targets get their kind (places, the village form's target)."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import select

from storage.db import unit_of_work
from storage.models import Target, Unit
from storage.schema import alembic_config, upgrade


def _migrate(engine, action, revision: str) -> None:
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        action(cfg, revision)


def test_backfill_sets_places_and_villages(engine, sessions):
    cfg = alembic_config(engine)
    before = ScriptDirectory.from_config(cfg).get_revision("0006").down_revision
    assert isinstance(before, str)
    _migrate(engine, command.downgrade, before)
    try:
        with unit_of_work(sessions) as s:
            village = Unit(name="新桥村", kind="村")
            s.add(village)
            s.flush()
            for name, cats in (
                ("新桥村", ["村"]),
                ("新桥粮油店", ["商铺"]),
                ("新桥小学", ["学校"]),
                ("张三", ["一般农户"]),
                ("李四", ["党员"]),
            ):
                s.add(Target(head_name=name, unit_id=village.id, categories=cats))
        _migrate(engine, command.upgrade, "0006")
        with unit_of_work(sessions) as s:
            got = {t.head_name: (t.kind, t.categories) for t in s.scalars(select(Target))}
        assert got == {
            "新桥村": ("village", []),
            "新桥粮油店": ("place", ["商铺"]),
            "新桥小学": ("place", ["学校"]),
            "张三": ("household", ["一般农户"]),
            "李四": ("household", ["党员"]),
        }
    finally:
        upgrade(engine)
