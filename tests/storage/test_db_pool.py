"""Pooled connections: idle ones are checked before use, busy ones are not pinged."""

from __future__ import annotations

from sqlalchemy import Engine, text

from storage.db import _ping_idle_connections


def test_a_dead_idle_connection_is_replaced_before_use(engine: Engine) -> None:
    _ping_idle_connections(engine, idle_s=0.0)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        dead = conn.connection.dbapi_connection
    assert dead is not None
    dead.close()  # what a database restart or a firewall does to an idle connection
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
        assert conn.connection.dbapi_connection is not dead


def test_busy_connections_are_not_pinged(engine: Engine) -> None:
    pings: list[object] = []
    real_ping = engine.dialect.do_ping
    engine.dialect.do_ping = lambda c: pings.append(c) or real_ping(c)  # type: ignore[method-assign]
    try:
        _ping_idle_connections(engine, idle_s=3600.0)
        for _ in range(3):
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        assert pings == []
        _ping_idle_connections(engine, idle_s=0.0)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        assert len(pings) == 1
    finally:
        engine.dialect.do_ping = real_ping  # type: ignore[method-assign]
