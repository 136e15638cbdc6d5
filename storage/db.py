"""Engines and units of work.

SQLite (the embedded default) gets WAL, foreign keys, a busy timeout and
``BEGIN IMMEDIATE`` for every transaction, so two processes writing at once queue
on the database lock instead of losing each other's updates. Writers queue on a
:class:`WriterQueue` first: SQLite's own busy handler sleeps 25-100 ms between tries,
which under a burst of callbacks made a p99 of seconds for a 5 ms transaction. PostgreSQL is used
through psycopg 3 (``postgresql+psycopg://``).

Repositories never commit: the caller opens one :func:`unit_of_work` per incoming
message or job run and it commits once at the end (or rolls back on error).
"""

from __future__ import annotations

import fcntl
import os
import re
import threading
import time
import weakref
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import ARRAY, Engine, Integer, any_, bindparam, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

# Modules outside storage/ type their session parameter with this name, so they need not
# import sqlalchemy (tests/test_architecture.py).
__all__ = ["Engine", "Session", "sessionmaker", "make_engine", "session_factory", "unit_of_work"]

SQLITE_BUSY_TIMEOUT_MS = 30_000
IDLE_PING_S = 10.0  # pooled PostgreSQL connections idle this long are pinged before use


def make_engine(url: str, echo: bool = False, pool_size: int = 5) -> Engine:
    """Create an engine for ``url`` with the project's per-backend settings."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        on_disk = parsed.database and parsed.database != ":memory:"
        writers = WriterQueue(f"{parsed.database}.writers") if on_disk else None
        if writers is not None:
            WRITER_QUEUES[engine] = writers
        _configure_sqlite(engine, writers)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg"))
    engine = create_engine(url, echo=echo, pool_size=pool_size, max_overflow=pool_size)
    _ping_idle_connections(engine)
    _without_jit(engine)
    return engine


def _without_jit(engine: Engine) -> None:
    """``SET jit = off`` on every new PostgreSQL connection.

    PostgreSQL compiles a query with LLVM once its estimated cost passes
    ``jit_above_cost``; the county-wide aggregates (a leader's 进度 over 100 000
    households) pass it, and compiling took 1.06 s of a 2.8 s query that runs in 0.3 s
    without (EXPLAIN ANALYZE, 100 000 households). No query of ours runs long enough to
    win it back.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        dbapi_connection.commit()


def _ping_idle_connections(engine: Engine, idle_s: float = IDLE_PING_S) -> None:
    """Pre-ping only connections idle for ``idle_s`` or more.

    ``pool_pre_ping=True`` costs a round trip on every checkout, i.e. on every
    callback. A connection that was in use a moment ago is alive; one that sat in
    the pool (a quiet night, a database restart, a firewall's idle timeout) is pinged
    and, if dead, replaced before the unit of work starts (SQLAlchemy's documented
    "pessimistic" pattern: raising DisconnectionError makes the pool retry).
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record):  # type: ignore[no-untyped-def]
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):  # type: ignore[no-untyped-def]
        since = record.info.get("checked_in")
        if since is None or time.monotonic() - since < idle_s:
            return  # fresh from connect(), or busy a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError(f"stale pooled connection: {type(exc).__name__}") from exc
        if not alive:
            raise DisconnectionError("stale pooled connection")


class WriterQueue:
    """Who writes next to one SQLite file: a lock per process (threads wake in turn, at
    once) and an ``flock`` on ``path`` between processes (polled every millisecond or
    less). Held from BEGIN to COMMIT/ROLLBACK, so the database lock is free whenever
    this one is taken and SQLite's sleeping busy handler is
    rarely reached. Waiting gives up after the busy timeout, and BEGIN IMMEDIATE then
    behaves as without the queue (a nested transaction of the same thread, which
    SQLite cannot serve anyway, fails the same way as before).
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.local = threading.Lock()
        self._fd: int | None = None
        self._count = threading.Lock()
        self.waiting = 0  # threads of this process in acquire() (tests watch it)

    def _file(self) -> int:
        if self._fd is None:  # opened lazily: after a fork, each process its own
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        return self._fd

    def acquire(self, timeout: float = SQLITE_BUSY_TIMEOUT_MS / 1000) -> bool:
        with self._count:
            self.waiting += 1
        try:
            return self._acquire(timeout)
        finally:
            with self._count:
                self.waiting -= 1

    def _acquire(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        if not self.local.acquire(timeout=timeout):
            return False
        pause = 0.0001
        while True:
            try:
                fcntl.flock(self._file(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self.local.release()
                    return False
                time.sleep(pause)
                pause = min(pause * 2, 0.001)

    def release(self) -> None:
        fcntl.flock(self._file(), fcntl.LOCK_UN)
        self.local.release()


WRITER_QUEUES: weakref.WeakKeyDictionary[Engine, WriterQueue] = weakref.WeakKeyDictionary()


def writer_queue(engine: Engine) -> WriterQueue | None:
    """The queue of an SQLite file engine (None for PostgreSQL and in-memory SQLite)."""
    return WRITER_QUEUES.get(engine)


WRITE_LATE = "minqing_write_late"
_READS = ("SELECT", "PRAGMA")
_WRITE_WORD = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def _reads_only(statement: str) -> bool:
    """True for a statement that cannot write: SELECT, PRAGMA, or a WITH whose body reads."""
    head = statement.lstrip()[:6].upper()
    if head.startswith(_READS):
        return True
    if not head.startswith("WITH"):
        return False  # INSERT/UPDATE/DELETE, SAVEPOINT, anything unknown: treat as a write
    return _WRITE_WORD.search(statement) is None  # a column "updated_at" is no write


def write_late(session: Session) -> None:
    """Make the session's transaction (call first thing) take SQLite's write lock only at
    its first write instead of at BEGIN.

    Reads run in a deferred transaction, with no lock (WAL: other writers go on). Just
    before the first INSERT/UPDATE/DELETE the read transaction ends and a ``BEGIN
    IMMEDIATE`` one starts through the writer queue, so the lock is held only from the
    first write to COMMIT. The price: what was read before that write may have changed
    by then (as under PostgreSQL's READ COMMITTED); the caller must check what matters
    with the write itself (a version in the UPDATE's WHERE, a unique key with ON
    CONFLICT). On PostgreSQL this changes nothing.
    """
    session.connection(execution_options={WRITE_LATE: True})


def _configure_sqlite(engine: Engine, writers: WriterQueue | None = None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not pysqlite, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    def _begin_writing(dbapi_connection, record):  # type: ignore[no-untyped-def]
        if writers is not None and not record.get("queued") and writers.acquire():
            record["queued"] = True
        dbapi_connection.execute("BEGIN IMMEDIATE")

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        # Take the write lock when the transaction starts, so read-modify-write
        # sequences from two processes serialise instead of failing or racing;
        # a WRITE_LATE transaction reads without it (see write_late()).
        record = conn.connection.info
        if conn.get_execution_options().get(WRITE_LATE):
            conn.exec_driver_sql("BEGIN")
            record["reading"] = True
            return
        if writers is not None and not record.get("queued") and writers.acquire():
            record["queued"] = True
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "before_cursor_execute")
    def _on_statement(conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        record = conn.connection.info
        if record.get("reading") and not _reads_only(statement):
            # The first write of a WRITE_LATE transaction: drop the read snapshot (it may
            # predate another writer's commit, and SQLite would refuse to write from it),
            # then write from the newest state under the lock until COMMIT.
            del record["reading"]
            dbapi_connection = conn.connection.dbapi_connection
            dbapi_connection.execute("COMMIT")
            _begin_writing(dbapi_connection, record)

    def _ended(conn):  # type: ignore[no-untyped-def]
        conn.connection.info.pop("reading", None)

    event.listen(engine, "commit", _ended)
    event.listen(engine, "rollback", _ended)

    if writers is None:
        return

    # "commit" and "rollback" run just before SQLAlchemy's own COMMIT/ROLLBACK: end the
    # transaction here (SQLAlchemy's call then finds none and does nothing) and let the
    # next writer in, so it never meets the database lock.
    def _commit(conn):  # type: ignore[no-untyped-def]
        if conn.connection.info.pop("queued", False):
            conn.connection.dbapi_connection.commit()
            writers.release()

    def _rollback(conn):  # type: ignore[no-untyped-def]
        if conn.connection.info.pop("queued", False):
            conn.connection.dbapi_connection.rollback()
            writers.release()

    def _returned(_dbapi_connection, record, *_args):  # type: ignore[no-untyped-def]
        # A transaction that ended without commit() or rollback() (pool reset, a lost
        # connection): leave the queue when the connection goes back or away.
        record.info.pop("reading", None)
        if record.info.pop("queued", False):
            writers.release()

    event.listen(engine, "commit", _commit)
    event.listen(engine, "rollback", _rollback)
    for name in ("checkin", "invalidate", "close"):
        event.listen(engine, name, _returned)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any exception."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def among(session: Session, column: Any, ids: Collection[int]) -> Any:
    """``column IN ids``: on PostgreSQL one array parameter (``= ANY(:ids)``), so a
    county's thousand unit ids are bound once instead of rendered and parsed as a
    thousand placeholders on every callback; elsewhere a plain IN list."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, sorted(ids), type_=ARRAY(Integer)))
    return column.in_(sorted(ids))
