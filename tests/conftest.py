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
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from bot import config as config_mod
from bot.runtime import Runtime
from storage import schema
from storage.db import make_engine, session_factory
from tests.support.clock import FROZEN_NOW
from tests.support.config import TEST_AES_KEY, TEST_CORP_ID, TEST_TOKEN, config_dict
from tests.support.db import truncate_all
from tests.support.exports import ExportTown, build_export_town
from tests.support.scores import build_score_town
from tests.support.town import Town, build_town, groups_section

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
        truncate_all(engine)
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


@pytest.fixture
def town(sessions) -> Town:  # type: ignore[no-untyped-def]
    """The town of tests/support/town.py, committed (scheduler and CLI tests)."""
    with sessions() as s:
        return build_town(s)


@pytest.fixture
def etown(sessions) -> ExportTown:  # type: ignore[no-untyped-def]
    """The town plus what the exports need (tests/support/exports.py), committed."""
    with sessions() as s:
        return build_export_town(s)


@pytest.fixture
def stown(sessions) -> ExportTown:  # type: ignore[no-untyped-def]
    """The exports' town with scores to count (tests/support/scores.py), committed."""
    with sessions() as s:
        return build_score_town(s)


@pytest.fixture
def sconfig_file(config_file):  # type: ignore[no-untyped-def]
    """The on-disk config above plus this town's two group chats."""
    extra = "\n".join(
        "\n[[groups]]\n" + "\n".join(f'{k} = "{v}"' for k, v in g.items()) for g in groups_section()
    )
    config_file.write_text(config_file.read_text(encoding="utf-8") + extra + "\n", encoding="utf-8")
    return config_file
