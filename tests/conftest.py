"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL is used when ``MINQING_TEST_PG_URL`` names a server (an admin URL such
as ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); each pytest worker
gets its own fresh database on it. With ``CI=true`` an unreachable PostgreSQL is
an error, never a skip.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url

from bot import config as config_mod
from bot.runtime import Runtime
from storage import schema
from storage.db import make_engine, session_factory
from storage.models import Base

TEST_AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
TEST_TOKEN = "minqing-test-token"
TEST_CORP_ID = "wwtestcorp0000001"
FROZEN_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ZONE = ZoneInfo(config_mod.DEFAULT_TIMEZONE)  # the default [campaign] timezone

BACKENDS = ["sqlite", "postgresql"]

# In CI, Hypothesis explores the same examples every run (a red build is always
# reproducible); locally it keeps searching for new ones.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


if _in_ci():
    settings.load_profile("ci")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for every test (faster than migrating each)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    schema.upgrade(engine)
    engine.dispose()  # closing the last connection checkpoints the WAL into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """URL of a fresh, migrated PostgreSQL database for this pytest worker."""
    admin = os.environ.get("MINQING_TEST_PG_URL")
    if not admin:
        if _in_ci():
            pytest.fail("CI=true but MINQING_TEST_PG_URL is not set: PostgreSQL tests cannot run")
        pytest.skip("PostgreSQL not configured (set MINQING_TEST_PG_URL)")
    # Unique per checkout and per xdist worker, so parallel runs never collide.
    tree = hashlib.sha1(str(Path(__file__).resolve().parent).encode()).hexdigest()[:8]
    name = f"minqing_test_{tree}_{_worker()}"
    admin_engine = make_engine(admin)
    try:
        with admin_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # connection refused and the like
        if _in_ci():
            pytest.fail(f"PostgreSQL at {admin} is not reachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    yield url
    with admin_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin_engine.dispose()


def _truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    # APScheduler's job store table, when a test created it.
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS apscheduler_jobs"))


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: a copied SQLite file, or the worker's PostgreSQL."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "minqing.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_url")
        engine = make_engine(url)
        _truncate_all(engine)
        engine.dispose()
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine):  # type: ignore[no-untyped-def]
    return session_factory(engine)


@pytest.fixture
def session(sessions):  # type: ignore[no-untyped-def]
    """A session whose transaction the test commits or not; closed afterwards."""
    s = sessions()
    yield s
    s.rollback()
    s.close()


def config_dict(db_url: str, **sections: dict[str, Any]) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "database": {"url": db_url},
        "wecom": {
            "corp_id": TEST_CORP_ID,
            "token": TEST_TOKEN,
            "encoding_aes_key": TEST_AES_KEY,
            "agent_id": 1000002,
            "secret": "test-secret",
        },
    }
    for name, values in sections.items():
        raw.setdefault(name, {}).update(values)
    return raw


@pytest.fixture
def config(db_url: str) -> config_mod.Config:
    return config_mod.from_dict(config_dict(db_url), environ={})


@pytest.fixture
def runtime(config: config_mod.Config) -> Iterator[Runtime]:
    rt = Runtime.from_config(config, clock=lambda: FROZEN_NOW)
    yield rt
    rt.close()


@pytest.fixture
def config_file(tmp_path: Path, db_url: str) -> Path:
    """A minimal config.toml on disk pointing at this test's database."""
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "{db_url}"\n\n[wecom]\ncorp_id = "{TEST_CORP_ID}"\n'
        f'token = "{TEST_TOKEN}"\nencoding_aes_key = "{TEST_AES_KEY}"\nagent_id = 1000002\n'
        'secret = "test-secret"\n',
        encoding="utf-8",
    )
    return path


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
    thread has sent its first statement (``BEGIN IMMEDIATE``), which cannot return
    while the other transaction holds the write lock.
    """
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert thread.is_alive(), "it finished instead of waiting for the lock"
        if engine.dialect.name != "postgresql":
            if sent.wait(0.05):
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
