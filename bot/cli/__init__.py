"""The ``minqing`` console script: one group, one module per area of subcommands."""

from __future__ import annotations

import sys

import click
from sqlalchemy.exc import OperationalError

# Each module adds its subcommands to ``cli`` when imported.
from bot.cli import admin as _admin  # noqa: F401,E402
from bot.cli import audit as _audit  # noqa: F401,E402
from bot.cli import backup as _backup  # noqa: F401,E402
from bot.cli import check as _check  # noqa: F401,E402
from bot.cli import digest as _digest  # noqa: F401,E402
from bot.cli import exports as _exports  # noqa: F401,E402
from bot.cli import gateway as _gateway  # noqa: F401,E402
from bot.cli import ledger as _ledger  # noqa: F401,E402
from bot.cli import menu as _menu  # noqa: F401,E402
from bot.cli import person as _person  # noqa: F401,E402
from bot.cli import roster as _roster  # noqa: F401,E402
from bot.cli import scheduler as _scheduler  # noqa: F401,E402
from bot.cli import templates as _templates  # noqa: F401,E402
from bot.cli.base import cli
from bot.config import ConfigError


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="minqing", standalone_mode=True)
    except ConfigError as exc:  # raised lazily when a command first needs config
        click.echo(f"配置错误 (config error): {exc}", err=True)
        sys.exit(2)
    except OperationalError as exc:  # database.url names a server/file we cannot open
        lines = str(exc.orig or exc).strip().splitlines()
        click.echo(f"数据库无法使用 (database unavailable): {lines[0] if lines else ''}", err=True)
        sys.exit(1)


__all__ = ["cli", "main"]
