"""`minqing backup` / `minqing restore`: a populated database round-trips row for row."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import delete, func, select

from bot.cli import cli
from storage.db import make_engine
from storage.models import Problem, Visit
from tests.support.db import dump_tables


def run(config_file: Path, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["--config", str(config_file), *args], env=env)


def test_backup_and_restore_round_trip_every_table(config_file, etown, engine, tmp_path):
    before = dump_tables(engine, skip=())
    assert before["visits"] and before["problems"] and before["targets"]
    path = tmp_path / "minqing.backup"

    out = run(config_file, "backup", str(path))
    assert out.exit_code == 0, out.output
    assert path.stat().st_size > 0 and "已备份" in out.stdout

    # Damage the live database after the backup: the restore must undo it.
    with engine.begin() as conn:
        conn.execute(delete(Problem))
        conn.execute(delete(Visit).where(Visit.outcome == "away"))
    assert dump_tables(engine, skip=()) != before
    engine.dispose()

    out = run(config_file, "restore", str(path), "--yes")
    assert out.exit_code == 0, out.output
    assert dump_tables(engine, skip=()) == before


def test_restore_refuses_without_yes_and_changes_nothing(config_file, etown, engine, tmp_path):
    path = tmp_path / "minqing.backup"
    assert run(config_file, "backup", str(path)).exit_code == 0
    with engine.begin() as conn:
        conn.execute(delete(Problem))
    out = run(config_file, "restore", str(path))
    assert out.exit_code == 2 and "--yes" in out.stderr
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Problem)) == 0


def test_backup_will_not_overwrite_without_force(config_file, tmp_path):
    path = tmp_path / "old.backup"
    path.write_bytes(b"keep me")
    out = run(config_file, "backup", str(path))
    assert out.exit_code == 2 and "--force" in out.stderr
    assert path.read_bytes() == b"keep me"


def test_restore_refuses_a_file_that_is_no_backup(config_file, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a backup", encoding="utf-8")
    out = run(config_file, "restore", str(path), "--yes")
    assert out.exit_code == 1 and "无法恢复" in out.stderr


def test_postgresql_without_client_tools_says_what_to_install(tmp_path):
    config = tmp_path / "pg.toml"
    config.write_text(
        '[database]\nurl = "postgresql+psycopg://minqing:secret@127.0.0.1:5432/minqing"\n'
        '[wecom]\ncorp_id = "c"\ntoken = "t"\n'
        'encoding_aes_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"\n',
        encoding="utf-8",
    )
    empty = tmp_path / "bin"
    empty.mkdir()
    out = run(config, "backup", str(tmp_path / "x.dump"), env={"PATH": str(empty)})
    assert out.exit_code == 1, out.output
    assert "找不到 pg_dump" in out.stderr and "postgresql-client" in out.stderr
    assert not (tmp_path / "x.dump").exists()


def test_sqlite_backup_runs_beside_an_open_write_transaction(sqlite_template, tmp_path):
    """The bot keeps writing while the backup runs: the copy holds what was committed."""
    live = tmp_path / "live.db"
    shutil.copy(sqlite_template, live)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{live}"\n[wecom]\ncorp_id = "c"\ntoken = "t"\n'
        'encoding_aes_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"\n',
        encoding="utf-8",
    )
    writer = sqlite3.connect(live, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("INSERT INTO units (name, kind) VALUES ('已提交村', '村')")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO units (name, kind) VALUES ('未提交村', '村')")
    try:
        out = run(config, "backup", str(tmp_path / "copy.db"))
    finally:
        writer.execute("COMMIT")
        writer.close()
    assert out.exit_code == 0, out.output
    copy = make_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    with copy.connect() as conn:
        names = [r[0] for r in conn.exec_driver_sql("SELECT name FROM units")]
    copy.dispose()
    assert names == ["已提交村"]
