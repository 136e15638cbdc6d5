"""``minqing digest KIND --unit 单位 | --as USERID``: print a digest as its reader gets it.

Nothing is sent and nothing is recorded: this is the scheduled digest's own query
(:func:`scheduler.digests.figures`) for any unit — a 线办 or 部门 is counted by its
cadres, a 村 or 网格 by its households (docs/facts.md "Scopes") — or for exactly what
a person's own digest says (``--as``). Exit 1 when the unit or person is unknown.
"""

from __future__ import annotations

import click

from bot.cli.base import CliState, cli, parse_now, pass_state
from scheduler import digest_scores, digests, prompts
from scheduler.base import iso_week, local_today
from storage import cadres, facts
from storage.campaigns import find_active_campaign
from storage.units import UnitTree, subtree_ids

KINDS = ("daily", "weekly", "halfmonth")


@cli.command("digest")
@click.argument("kind", type=click.Choice(KINDS))
@click.option("--unit", "unit_name", metavar="单位", help="The unit (线办/部门: its cadres).")
@click.option("--as", "userid", metavar="USERID", help="Exactly this person's own digest.")
@click.option("--now", "now_text", metavar="ISO", help="Pretend it is this time.")
@click.option("--group", "group", is_flag=True, help="The group chat's counts-only text.")
@pass_state
def digest_cmd(
    state: CliState,
    kind: str,
    unit_name: str | None,
    userid: str | None,
    now_text: str | None,
    group: bool,
) -> None:
    """Print the daily, weekly or half-month digest of a unit or a person (not sent)."""
    if not unit_name and not userid:
        raise click.UsageError("请给出 --unit 单位 或 --as 账号")
    rt = state.runtime()
    now = parse_now(now_text, rt.config.campaign.timezone) or rt.clock()
    with rt.unit_of_work() as session:
        campaign = find_active_campaign(session)
        if campaign is None:
            raise click.ClickException("还没有进行中的走访活动：请先导入花名册")
        scope: facts.FactScope | None = None
        viewer = None
        unit = None
        if userid:
            viewer = cadres.find_by_userid(session, userid)
            if viewer is None:
                raise click.ClickException(f"找不到账号“{userid}”")
            scope = facts.viewer_scope(session, viewer)
        if unit_name:
            found = facts.unit_and_grid(session, unit_name)
            if found is None:
                raise click.ClickException(f"找不到单位“{unit_name}”")
            unit, grid = found
            if viewer is not None and unit.id not in subtree_ids(session, viewer.unit_id):
                raise click.ClickException(f"{viewer.name}看不到“{unit.name}”的简报")
            scope = facts.scope_for_name(session, unit_name)
        assert scope is not None
        today = local_today(now, rt.config)
        title = prompts.digest_title(campaign.name, kind, today, iso_week(today))
        tree = UnitTree.load(session)
        leader = not group and (viewer is None or viewer.role in ("leader", "admin"))
        figures, _ = digests.figures(
            session, campaign, tree, scope, kind, title, now, rt.config, leader
        )
        text = prompts.digest_group_text(figures) if group else prompts.digest_markdown(figures)
        # A leader's weekly digest ends with the unit's 走访任务与评分 (as sent).
        unit_id = unit.id if unit is not None else viewer.unit_id if viewer is not None else None
        if kind == "weekly" and leader and unit_id is not None:
            text += digest_scores.scores_section(session, campaign, tree, unit_id, now, rt.config)
    click.echo(text)
