"""``minqing audit [--since] [--user] [--action]``: who viewed or changed what, when.

Also :func:`cli_actor`, the name the command line's audit rows carry.
"""

from __future__ import annotations

import getpass
import json

import click

from bot.cli.base import CliState, cli, parse_now, pass_state
from storage import audit

CLI_ACTOR_PREFIX = "cli:"


def cli_actor() -> str:
    """``cli:<login name>`` of whoever runs the command (``cli:?`` when unknown)."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER (containers)
        name = "?"
    return CLI_ACTOR_PREFIX + name


@cli.command("audit")
@click.option("--since", metavar="ISO", help="Only entries from then on (campaign-local).")
@click.option("--user", "actor", metavar="WHO", help="Only this actor (a userid, or cli:<name>).")
@click.option("--action", "actions", multiple=True, metavar="ACTION", help="Only this action.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many.")
@pass_state
def audit_cmd(
    state: CliState,
    since: str | None,
    actor: str | None,
    actions: tuple[str, ...],
    limit: int | None,
) -> None:
    """List the audit log, oldest first: time, who, what, scope, details."""
    rt = state.runtime()
    start = parse_now(since, rt.config.campaign.timezone, option="--since")
    with rt.unit_of_work() as session:
        rows = audit.entries(session, since=start, actor=actor, actions=actions, limit=limit)
        for row in rows:
            local = row.at.astimezone(rt.zone).strftime("%Y-%m-%d %H:%M:%S")
            detail = json.dumps(row.detail, ensure_ascii=False, sort_keys=True)
            click.echo(f"{local}\t{row.actor}\t{row.action}\t{row.scope or '-'}\t{detail}")
    click.echo(f"共 {len(rows)} 条 ({len(rows)} entries)", err=True)
