"""``minqing check-config``: the go-live checklist (checks in bot/preflight.py)."""

from __future__ import annotations

import sys

import click

from bot import preflight
from bot.cli.base import CliState, cli, pass_state


@cli.command("check-config")
@pass_state
def check_config_cmd(state: CliState) -> None:
    """Check before going live: database, migrations, WeCom credentials, callback key,
    group chats, scheduler. One line per item; exit 1 if any fails."""
    results = preflight.run(state.runtime())
    for result in results:
        click.echo(result.line())
    failed = sum(not r.ok for r in results)
    if failed:
        click.echo(f"{failed} 项未通过 ({failed} of {len(results)} checks failed)")
        sys.exit(1)
    click.echo(f"全部通过 (all {len(results)} checks passed)")
