"""Scheduler subcommands: scheduler, run-job, jobs, review-draw."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import click

from bot.cli.base import CliState, cli, parse_now, pass_state
from bot.logsafe import one_line_handler
from bot.wecom import redact
from scheduler import registry, review
from scheduler.base import iso_week, local_today, week_bounds
from scheduler.runner import (
    DEFAULT_LEASE_SECONDS,
    DEFAULT_RENEW_SECONDS,
    JOBSTORE_TABLE,
    Runner,
    execute,
)
from storage.review import all_revisions
from storage.runs import stored_next_run_times
from storage.units import UnitTree


@cli.command("scheduler")
@click.option(
    "--lease-seconds",
    type=float,
    default=DEFAULT_LEASE_SECONDS,
    show_default=True,
    help="How long leadership lasts without renewal.",
)
@click.option(
    "--renew-seconds",
    type=float,
    default=DEFAULT_RENEW_SECONDS,
    show_default=True,
    help="How often the lease is renewed (or tried for).",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default=None,
    help="Log lines as text or JSON (default: [server] log_format).",
)
@pass_state
def scheduler_cmd(
    state: CliState, lease_seconds: float, renew_seconds: float, log_format: str | None
) -> None:
    """Run the scheduler process (only the lease holder schedules jobs; Ctrl-C stops)."""
    logging.basicConfig(
        level=logging.INFO,
        handlers=[
            one_line_handler(
                sys.stderr,
                "%(asctime)s %(levelname)s %(name)s: %(message)s",
                log_format or state.config().server.log_format,
            )
        ],
    )
    redact.protect_handlers()  # secrets masked in what the jobs log (WeCom errors)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if renew_seconds >= lease_seconds:
        raise click.BadParameter("--renew-seconds must be shorter than --lease-seconds")
    runner = Runner(state.runtime(), lease_seconds=lease_seconds, renew_seconds=renew_seconds)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    runner.serve(stop)


@cli.command("run-job")
@click.argument("name")
@click.option(
    "--now", "now_text", metavar="ISO", help="Pretend it is this time (local if no zone)."
)
@click.option(
    "--force", is_flag=True, help="Run even if this period already ran (recorded separately)."
)
@pass_state
def run_job_cmd(state: CliState, name: str, now_text: str | None, force: bool) -> None:
    """Run one job once now, outside its schedule (still recording its run key)."""
    rt = state.runtime()
    jobs = registry.build(rt.config)
    spec = registry.lookup(jobs, name)
    if spec is None:
        raise click.BadParameter(
            f"unknown job {name!r}; known: {', '.join(jobs)}", param_hint="NAME"
        )
    now = parse_now(now_text, rt.config.campaign.timezone) or rt.clock()
    result = execute(rt, spec, now, force=force)
    click.echo(result.summary())
    if result.skipped and not result.claimed:
        click.echo(
            "本周期已运行过，未重复发送 (already ran for this period; use --force to repeat)"
        )


@cli.command("jobs")
@pass_state
def jobs_cmd(state: CliState) -> None:
    """List the scheduled jobs, their schedule, misfire rules and next run time."""
    rt = state.runtime()
    jobs = registry.build(rt.config)  # validates the schedule settings first
    tz = ZoneInfo(rt.config.campaign.timezone)
    stored = stored_next_run_times(rt.engine, JOBSTORE_TABLE)
    now = rt.clock().astimezone(tz)
    for spec in jobs.values():
        if spec.name in stored:
            nxt = datetime.fromtimestamp(stored[spec.name], tz)
            source = "stored"
        else:
            nxt = spec.trigger(rt.config.campaign.timezone).get_next_fire_time(None, now)
            source = "computed"
        when = nxt.strftime("%Y-%m-%d %H:%M %Z") if nxt else "-"
        click.echo(
            f"{spec.name:<17} {spec.describe_schedule():<38} grace={spec.misfire_grace_time}s "
            f"coalesce={'yes' if spec.coalesce else 'no'}  next={when} ({source})  {spec.description}"
        )


@cli.command("review-draw")
@click.option("--unit", "unit_name", required=True, help="单位名称 (the unit holding the 讲评).")
@click.option("--week", help="ISO week like 2026-W48 (default: this week).")
@click.option(
    "--verify", is_flag=True, help="Re-derive from the stored seed and pool; exit 1 on mismatch."
)
@click.option(
    "--redraw",
    is_flag=True,
    help="Draw again for a week that has a draw (a leader, with --reason).",
)
@click.option("--reason", default="", help="Why a redraw is needed (logged).")
@click.option("--by", "by_userid", default="", help="The leader's WeCom userid (for --redraw).")
@pass_state
def review_draw_cmd(
    state: CliState,
    unit_name: str,
    week: str | None,
    verify: bool,
    redraw: bool,
    reason: str,
    by_userid: str,
) -> None:
    """Draw the week's random-five 讲评 cadres, or print/verify the stored draw."""
    rt = state.runtime()
    registry.build(rt.config)  # validates the time zone before it is used
    now = rt.clock()
    week = week or iso_week(local_today(now, rt.config))
    try:
        week_bounds(week)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--week") from None
    with rt.unit_of_work() as session:
        tree = UnitTree.load(session)
        unit = tree.by_name(unit_name)
        if unit is None:
            raise click.ClickException(f"找不到单位「{unit_name}」")
        if verify:
            draws = all_revisions(session, unit.id, week)
            if not draws:
                raise click.ClickException(f"{unit_name} {week} 还没有抽签记录")
            click.echo(review.describe(session, tree, draws[-1], rt.config))
            bad = [d for d in draws if not review.verify(d)]
            for d in bad:
                expected = review.derive(d.seed, d.pool, d.size)
                click.echo(
                    f"校验失败 (mismatch)：修订 {d.revision} 按种子和候选名单应抽中 "
                    f"{'、'.join(expected)}，记录却是 {'、'.join(d.drawn)}",
                    err=True,
                )
            if bad:
                sys.exit(1)
            click.echo(f"校验通过 (verified)：{len(draws)} 次抽取的结果均可由种子和候选名单复算")
            return
        try:
            if redraw:
                draw = review.redraw(
                    session, tree, unit.id, week, now, rt.config, by_userid, reason
                )
            else:
                draw, _ = review.draw_once(
                    session, tree, unit.id, week, now, rt.config, drawn_by="cli"
                )
        except review.DrawError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(review.describe(session, tree, draw, rt.config))
