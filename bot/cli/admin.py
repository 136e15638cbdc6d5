"""Administrative subcommands: ``init-db`` (create or upgrade the schema)."""

from __future__ import annotations

import click

from bot.cli.base import CliState, cli, pass_state
from storage import schema


@cli.command("init-db")
@pass_state
def init_db(state: CliState) -> None:
    """Create the database schema, or upgrade it to the newest version (safe to repeat)."""
    rt = state.runtime()
    before, after = schema.upgrade(rt.engine)
    if before == after:
        click.echo(f"数据库已是最新 (schema up to date at {after})")
    else:
        click.echo(f"数据库已升级 (schema upgraded {before or 'empty'} → {after})")
