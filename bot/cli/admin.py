"""Administrative subcommands: ``init-db`` (create or upgrade the schema) and
``close-campaign`` (end the active campaign; starts the retention clock)."""

from __future__ import annotations

import sys
from datetime import timedelta

import click

from bot.cli.audit import cli_actor
from bot.cli.base import CliState, cli, pass_state
from storage import audit, schema
from storage.campaigns import find_active_campaign
from storage.redaction import close_campaign


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


@cli.command("close-campaign")
@click.option("--yes", is_flag=True, help="Really close the active campaign.")
@pass_state
def close_campaign_cmd(state: CliState, yes: bool) -> None:
    """Close the active campaign: no longer active; its personal texts are redacted
    [campaign] redact_after_days later (job redact_closed)."""
    rt = state.runtime()
    with rt.unit_of_work() as session:
        campaign = find_active_campaign(session)
        if campaign is None:
            click.echo("没有进行中的活动 (no active campaign)", err=True)
            sys.exit(1)
        if not yes:
            click.echo(
                f"将结束活动“{campaign.name}”；确认请加 --yes (closes the campaign; add --yes)",
                err=True,
            )
            sys.exit(2)
        now = rt.clock()
        close_campaign(session, campaign, now)
        audit.record(session, now, cli_actor(), audit.CAMPAIGN_CLOSED, f"campaign:{campaign.id}")
        days = rt.config.campaign.redact_after_days
        due = (now + timedelta(days=days)).astimezone(rt.zone).date()
        name = campaign.name
    click.echo(
        f"活动“{name}”已结束；个人文字将于 {due} 起删除 (personal texts redacted from {due})"
    )
