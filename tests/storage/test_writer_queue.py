"""SQLite writers queue before BEGIN IMMEDIATE (storage.db.WriterQueue).

The queue is held from BEGIN to COMMIT or ROLLBACK and released by every way a
transaction ends, so a writer never waits for one that is over; read-modify-write
transactions from several threads still serialise.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import (
    _reads_only,
    make_engine,
    session_factory,
    unit_of_work,
    write_late,
    writer_queue,
)


def test_the_queue_is_free_after_commit_rollback_and_session_close(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'q.db'}")
    queue = writer_queue(engine)
    assert queue is not None and writer_queue(make_engine("sqlite://")) is None
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
        assert queue.local.locked()
    assert not queue.local.locked()
    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
        raise RuntimeError("roll back")
    assert not queue.local.locked()
    with unit_of_work(session_factory(engine)) as s:
        s.execute(text("INSERT INTO t VALUES (2)"))
    assert not queue.local.locked()
    with engine.connect() as conn:  # a connection returned without commit or rollback
        conn.execute(text("SELECT count(*) FROM t"))
        assert queue.local.locked()
    assert not queue.local.locked()
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT group_concat(n) FROM t")) == "2"
    engine.dispose()


def test_read_modify_write_from_threads_serialises(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'q.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))

    def bump() -> None:
        for _ in range(25):
            with engine.begin() as conn:
                n = conn.scalar(text("SELECT n FROM counter"))
                conn.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT n FROM counter")) == 100
    engine.dispose()


def test_a_write_late_transaction_reads_without_the_lock_and_writes_from_the_newest_state(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'q.db'}")
    queue = writer_queue(engine)
    assert queue is not None
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    sessions = session_factory(engine)
    with unit_of_work(sessions) as late:
        write_late(late)
        assert late.scalar(text("SELECT count(*) FROM t")) == 0
        assert not queue.local.locked()  # reading holds no lock ...

        def other_writer() -> None:
            with unit_of_work(sessions) as s:
                s.execute(text("INSERT INTO t VALUES (1)"))

        other = threading.Thread(target=other_writer)
        other.start()
        other.join(30)
        assert not other.is_alive()  # ... so another writer went ahead and committed
        # Its first write drops the old snapshot (SQLite would refuse to write from it)
        # and takes the lock: it sees the other's row.
        late.execute(text("INSERT INTO t SELECT count(*) + 10 FROM t"))
        assert queue.local.locked()
    assert not queue.local.locked()
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT group_concat(n) FROM t ORDER BY n")) == "1,11"
    engine.dispose()


@pytest.mark.parametrize(
    ("statement", "reads"),
    [
        ("SELECT count(*) FROM t", True),
        ("  select 1", True),
        ("PRAGMA foreign_keys", True),
        ("WITH RECURSIVE s AS (SELECT id, updated_at FROM units) SELECT * FROM s", True),
        ("WITH d AS (SELECT 1) INSERT INTO t SELECT * FROM d", False),
        ("INSERT INTO t VALUES (1)", False),
        ("UPDATE t SET n = 1", False),
        ("DELETE FROM t", False),
        ("SAVEPOINT sa_savepoint_1", False),  # unknown: taken as a write (the lock first)
    ],
)
def test_which_statements_a_write_late_transaction_runs_without_the_lock(
    statement: str, reads: bool
) -> None:
    assert _reads_only(statement) is reads
