"""Backups and restores of the whole database, while the bot runs.

SQLite: Python's online backup API (``sqlite3.Connection.backup``), page by page,
so the web, outbox and scheduler processes keep writing meanwhile; the copy is a
consistent snapshot. A restore copies the file back the same way (writers wait on
the lock for the few seconds it takes).

PostgreSQL: ``pg_dump -Fc`` (custom format, compressed) and ``pg_restore --clean
--if-exists --single-transaction`` (a failed restore leaves the database as it
was). The password goes to them through ``PGPASSWORD``, never on the command line
(``ps`` would show it). Both must be installed (Debian: ``postgresql-client``),
of a version not older than the server.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

# Progress callback: (done, total) in pages for SQLite; PostgreSQL reports objects
# (done counts pg_dump/pg_restore's verbose lines, total is 0: unknown).
Progress = Callable[[int, int], None]

SQLITE_PAGES_PER_STEP = 1024
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """The backup or restore cannot be done; the message is for the operator."""


@dataclass(frozen=True)
class Outcome:
    path: Path
    size: int  # bytes of the backup file


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("内存数据库无法备份 (an in-memory SQLite database cannot be backed up)")
    return Path(url.database)


def _sqlite_copy(source: Path, dest: Path, progress: Progress | None) -> None:
    def step(_status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)

    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(dest, timeout=30)
        try:
            src.backup(dst, pages=SQLITE_PAGES_PER_STEP, progress=step)
        finally:
            dst.close()
    finally:
        src.close()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"找不到 {name}：请安装 PostgreSQL 客户端（Debian: apt-get install postgresql-client），"
            f"版本不低于服务器 ({name} not found: install the PostgreSQL client tools, "
            "same major version as the server or newer)"
        )
    return found


def _pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore and the environment with the password."""
    args = []
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    # Query options such as sslmode travel as PGSSLMODE etc. would; keep the common one.
    sslmode = url.query.get("sslmode")
    if isinstance(sslmode, str):
        env["PGSSLMODE"] = sslmode
    return args, env


def _run_pg(argv: list[str], env: dict[str, str], progress: Progress | None) -> None:
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr is not None
    done = 0
    errors: list[str] = []
    for line in proc.stderr:
        # --verbose lines ("pg_dump: dumping contents of table ...") are progress;
        # anything with "error" is kept for the message.
        if "error" in line.lower() or "fatal" in line.lower():
            errors.append(line.strip())
        else:
            done += 1
            if progress is not None:
                progress(done, 0)
    if proc.wait() != 0:
        name = Path(argv[0]).name
        shown = "; ".join(errors[-3:]) or f"exit status {proc.returncode}"
        raise BackupError(f"{name} 失败 ({name} failed): {shown}")


def backup(database_url: str, dest: Path, progress: Progress | None = None) -> Outcome:
    """Write a backup of the database at ``database_url`` to ``dest`` (replaced if it
    exists: the caller asks first). Raises :class:`BackupError`."""
    url = make_url(database_url)
    dest = dest.resolve()
    if not dest.parent.is_dir():
        raise BackupError(f"目录不存在 (no such folder): {dest.parent}")
    tmp = dest.with_name(dest.name + ".partial")
    tmp.unlink(missing_ok=True)
    try:
        if url.get_backend_name() == "sqlite":
            source = _sqlite_path(url)
            if not source.is_file():
                raise BackupError(f"数据库文件不存在 (no database file): {source}")
            _sqlite_copy(source, tmp, progress)
        elif url.get_backend_name() == "postgresql":
            args, env = _pg_args(url)
            argv = [_tool("pg_dump"), "--format=custom", "--verbose", "--no-owner"]
            argv += [*args, "--file", str(tmp), "--dbname", str(url.database)]
            _run_pg(argv, env, progress)
        else:
            raise BackupError(f"不支持的数据库 (unsupported database): {url.get_backend_name()}")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return Outcome(dest, dest.stat().st_size)


def check_file(database_url: str, source: Path) -> None:
    """Raise :class:`BackupError` unless ``source`` looks like a backup for this backend."""
    if not source.is_file():
        raise BackupError(f"备份文件不存在 (no such backup file): {source}")
    with source.open("rb") as fh:
        head = fh.read(16)
    sqlite = make_url(database_url).get_backend_name() == "sqlite"
    if sqlite and head != SQLITE_MAGIC:
        raise BackupError(f"不是 SQLite 备份文件 (not an SQLite backup): {source}")
    if not sqlite and not head.startswith(PG_DUMP_MAGIC):
        raise BackupError(f"不是 pg_dump -Fc 备份文件 (not a pg_dump custom-format file): {source}")


def restore(database_url: str, source: Path, progress: Progress | None = None) -> None:
    """Replace the database's contents with the backup ``source``.

    The caller has asked for confirmation. Raises :class:`BackupError`; on
    PostgreSQL a failed restore changes nothing (one transaction).
    """
    check_file(database_url, source)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(source, _sqlite_path(url), progress)
        return
    args, env = _pg_args(url)
    argv = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--verbose"]
    argv += ["--single-transaction", *args, "--dbname", str(url.database), str(source)]
    _run_pg(argv, env, progress)
