"""The schema: migrations match the models, init-db is idempotent, SQLite is safe."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from storage import schema
from storage.db import make_engine, session_factory, unit_of_work
from storage.models import Base, CacheEntry


def test_migrations_match_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"models changed without a migration: {diff}"


def test_upgrade_twice_changes_nothing(engine):
    head = schema.head_revision(engine)
    assert schema.current_revision(engine) == head
    assert schema.upgrade(engine) == (head, head)


def test_datetimes_come_back_aware_utc(sessions):
    cst = timezone(timedelta(hours=8))
    with unit_of_work(sessions) as s:
        s.add(CacheEntry(key="k", value="v", expires_at=datetime(2026, 11, 23, 17, 0, tzinfo=cst)))
    with unit_of_work(sessions) as s:
        got = s.scalar(select(CacheEntry.expires_at))
    assert got == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert got.tzinfo is not None


def test_naive_datetime_is_refused(sessions):
    with pytest.raises(Exception, match="naive datetime"):
        with unit_of_work(sessions) as s:
            s.add(CacheEntry(key="k", value="v", expires_at=datetime(2026, 1, 1)))


def test_concurrent_read_modify_write_loses_nothing(db_url):
    """Two writers incrementing one row never lose an update (BEGIN IMMEDIATE / row lock)."""
    engine = make_engine(db_url)
    factory = session_factory(engine)
    far = datetime(2030, 1, 1, tzinfo=UTC)
    with unit_of_work(factory) as s:
        s.add(CacheEntry(key="counter", value="0", expires_at=far))

    def bump(times: int) -> None:
        for _ in range(times):
            with unit_of_work(factory) as s:
                row = s.execute(
                    select(CacheEntry).where(CacheEntry.key == "counter").with_for_update()
                ).scalar_one()
                row.value = str(int(row.value) + 1)

    threads = [threading.Thread(target=bump, args=(25,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with unit_of_work(factory) as s:
        assert s.get(CacheEntry, "counter").value == "100"
    engine.dispose()
