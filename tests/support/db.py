"""Database helpers: empty every table, dump every row, watch a thread wait for a lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event, select, text

from storage.db import writer_queue
from storage.models import AuditLog, Base


def truncate_all(engine: Engine) -> None:
    """Empty every table of a PostgreSQL database (and drop APScheduler's job store)."""
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    # APScheduler's job store table, when a test created it.
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS apscheduler_jobs"))


def dump_tables(engine: Engine, skip: tuple[str, ...] = ("audit_log",)) -> dict[str, list[tuple]]:
    """Every row of every table (bar ``skip``), ordered by primary key."""
    out = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in skip:
                continue
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(r) for r in rows]
    return out


def audit_entries(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [row.detail for row in conn.execute(select(AuditLog).order_by(AuditLog.id))]


@contextmanager
def statements_from(engine: Engine, thread_name: str) -> Iterator[threading.Event]:
    """An event set once ``thread_name`` sends its first statement to the database."""
    sent = threading.Event()

    def seen(*_: Any) -> None:
        if threading.current_thread().name == thread_name:
            sent.set()

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def wait_until_lock_wait(engine: Engine, thread: threading.Thread, sent: threading.Event) -> None:
    """Until ``thread`` is waiting for a lock another transaction holds (deadline 30 s).

    PostgreSQL shows the wait in pg_stat_activity. SQLite cannot show it: there the
    thread waits in the engine's writer queue (:class:`storage.db.WriterQueue`), at its
    BEGIN IMMEDIATE or, in a :func:`storage.db.write_late` transaction, at its first
    write; an in-memory database has no queue: it has sent its first statement
    (``BEGIN IMMEDIATE``), which cannot return while the other transaction holds the lock.
    """
    deadline = time.monotonic() + 30
    queue = writer_queue(engine)
    while time.monotonic() < deadline:
        assert thread.is_alive(), "it finished instead of waiting for the lock"
        if engine.dialect.name != "postgresql":
            if queue is not None:  # a file: waiting in the queue, maybe after its reads
                if queue.waiting:
                    return
                time.sleep(0.005)
            elif sent.wait(0.05):
                return
            continue
        with engine.connect() as conn:
            waiting = conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        if waiting:
            return
        time.sleep(0.02)
    raise AssertionError("it never waited for the lock")


def wait_for(predicate, seconds: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    """Poll ``predicate`` every 0.1 s until it holds (True) or ``seconds`` pass (False)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False
