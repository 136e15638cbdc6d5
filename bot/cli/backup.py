"""``minqing backup FILE`` and ``minqing restore FILE --yes``: the whole database.

SQLite is copied through the online backup API while the bot runs; PostgreSQL
through ``pg_dump -Fc`` / ``pg_restore`` (storage.backup). Exit codes: 0 done,
1 failed (message on stderr, nothing replaced), 2 usage (restore without --yes,
existing FILE without --force).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from tqdm import tqdm

from bot.cli.base import CliState, cli, pass_state
from storage import backup as backups


class _Bar:
    """A tqdm bar fed by storage.backup's (done, total) callback."""

    def __init__(self, desc: str) -> None:
        self.bar = tqdm(desc=desc, file=sys.stderr, unit="步", leave=True)

    def __call__(self, done: int, total: int) -> None:
        if total and self.bar.total != total:
            self.bar.total = total
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        self.bar.close()


@cli.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@pass_state
def backup_cmd(state: CliState, file: Path, force: bool) -> None:
    """Back up the whole database to FILE (safe while the bot runs)."""
    if file.exists() and not force:
        click.echo(
            f"文件已存在，加 --force 覆盖 (FILE exists; add --force to replace): {file}", err=True
        )
        sys.exit(2)
    url = state.config().database.url
    bar = _Bar("备份 backup")
    try:
        outcome = backups.backup(url, file, bar)
    except backups.BackupError as exc:
        bar.close()
        click.echo(f"备份失败 (backup failed): {exc}", err=True)
        sys.exit(1)
    bar.close()
    click.echo(f"已备份到 {outcome.path}（{outcome.size} 字节）(backup written)")


@cli.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Really replace everything in the database.")
@pass_state
def restore_cmd(state: CliState, file: Path, yes: bool) -> None:
    """Replace the database's contents with the backup FILE (asks for --yes)."""
    url = state.config().database.url
    try:
        backups.check_file(url, file)
    except backups.BackupError as exc:
        click.echo(f"无法恢复 (cannot restore): {exc}", err=True)
        sys.exit(1)
    if not yes:
        click.echo(
            "恢复会覆盖数据库中的全部数据；确认请加 --yes "
            "(restore replaces everything in the database; add --yes to go ahead)",
            err=True,
        )
        sys.exit(2)
    bar = _Bar("恢复 restore")
    try:
        backups.restore(url, file, bar)
    except backups.BackupError as exc:
        bar.close()
        click.echo(f"恢复失败 (restore failed): {exc}", err=True)
        sys.exit(1)
    bar.close()
    click.echo(f"已从 {file} 恢复；请运行 minqing init-db 确认表结构为最新 (restored; run init-db)")
