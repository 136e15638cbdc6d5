"""Ledger subcommands: ``classify`` (see why a sentence lands where it does) and
``problems`` (the administrators' listing)."""

from __future__ import annotations

import json
import sys

import click

from bot.cli.audit import cli_actor
from bot.cli.base import CliState, cli, pass_state
from bot.ledger.classify import SCHEMES, classify
from bot.ledger.clocks import overdue_thresholds
from storage import audit
from storage.masking import mask_numbers
from storage.problems import list_all
from storage.units import find_unit, subtree_ids
from storage.vocab import PROBLEM_STATUS

STATUS_IDS = {**{k: k for k in PROBLEM_STATUS}, **{v: k for k, v in PROBLEM_STATUS.items()}}


@cli.command("classify")
@click.option(
    "--scheme",
    type=click.Choice(SCHEMES),
    default="changzhou",
    show_default=True,
    help="changzhou = 常州 seed-003 categories; chaihudian = 柴胡店 seed-004 categories.",
)
@click.argument("text")
def classify_cmd(scheme: str, text: str) -> None:
    """Classify TEXT (or '-' for one text per line on stdin); one JSON object per text."""
    lines = sys.stdin.read().splitlines() if text == "-" else [text]
    for line in lines:
        line = line.strip()
        if not line:
            continue
        verdict = classify(line)
        click.echo(json.dumps(verdict.as_json(line, scheme), ensure_ascii=False))


@cli.command("problems")
@click.option("--unit", "unit_name", metavar="单位", help="Only this unit and the units below it.")
@click.option(
    "--status",
    "status",
    metavar="状态",
    help="登记/交办/办理中/已解决/已解释/已回访 (or registered, assigned, …).",
)
@click.option("--overdue", is_flag=True, help="Only problems whose clock has run out.")
@pass_state
def problems_cmd(state: CliState, unit_name: str | None, status: str | None, overdue: bool) -> None:
    """List problems with their clocks (administrators; problem texts with phone and
    ID numbers masked; each listing is written to the audit log)."""
    from bot.handlers.ledger_service import clock_label

    rt = state.runtime()
    now = rt.clock()
    cfg = rt.config.ledger
    statuses = tuple(PROBLEM_STATUS)
    if status:
        if status not in STATUS_IDS:
            raise click.BadParameter(
                f"不认识的状态“{status}”；可用：{'、'.join(PROBLEM_STATUS.values())}",
                param_hint="--status",
            )
        statuses = (STATUS_IDS[status],)
    with rt.unit_of_work() as session:
        unit_ids = None
        if unit_name:
            unit = find_unit(session, unit_name)
            if unit is None:
                raise click.BadParameter(f"找不到单位“{unit_name}”", param_hint="--unit")
            unit_ids = subtree_ids(session, unit.id)
        rows = list_all(
            session,
            statuses=statuses,
            unit_ids=unit_ids,
            overdue=overdue_thresholds(now, cfg) if overdue else None,
        )
        # A list of many households' problems: numbers masked, the view audited.
        audit.record(
            session,
            now,
            cli_actor(),
            audit.VIEW_PROBLEM_LIST,
            unit_name or "all",
            {"problems": len(rows), "status": status, "overdue": overdue},
        )
        for p in rows:
            flat = mask_numbers(p.text)
            text = flat if len(flat) <= 30 else flat[:30] + "…"
            click.echo(
                f"#{p.id}\t{PROBLEM_STATUS[p.status]}\t{p.category}/{p.category_alt}\t{p.kind}\t"
                f"{clock_label(p, now, cfg, rt.zone)}\t{text}"
            )
        click.echo(f"共{len(rows)}件", err=True)
