"""``minqing export TABLE --out FILE.xlsx``: the official tables, in a person's scope.

Exit codes: 0 written, 1 refused (unknown unit or user, no campaign; nothing
written), 2 usage (unknown table, bad date, bad --out). The file is written to a
temporary name beside ``--out`` and renamed only when complete.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo

import click
from tqdm import tqdm

from bot.cli.audit import cli_actor
from bot.cli.base import CliState, cli, pass_state
from bot.exporting import export_request
from storage import audit
from storage.campaigns import find_active_campaign
from storage.exports import TABLES, ScopeError, export_table, resolve_scope
from storage.exports import labels as msg
from storage.exports.base import Row

# Below this many rows the bar would only flash by.
PROGRESS_FROM_ROWS = 500


def _fail(text: str, code: int) -> NoReturn:
    click.echo(text, err=True)
    sys.exit(code)


def _day(option: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        _fail(msg.CLI_BAD_DATE.format(option=option, value=value), 2)


def _progress(rows: Iterable[Row]) -> Iterable[Row]:
    items = list(rows)
    return tqdm(
        items,
        desc=msg.CLI_PROGRESS,
        unit=msg.CLI_PROGRESS_UNIT,
        file=sys.stderr,
        disable=len(items) < PROGRESS_FROM_ROWS,
    )


def _list_tables() -> None:
    for spec in TABLES.values():
        click.echo(
            msg.CLI_LIST_LINE.format(
                key=spec.key,
                title=spec.title,
                seed=spec.seed,
                phone=msg.CLI_HAS_PHONE if spec.has_phone else "",
                columns="、".join(spec.columns),
            )
        )


def _scope_label(unit_label: str, userid: str | None) -> str:
    """The audit scope of an export: ``user:<id>`` and/or the unit, else ``all``."""
    parts = ([f"user:{userid}"] if userid else []) + ([unit_label] if unit_label else [])
    return " ".join(parts) or "all"


@cli.command("export")
@click.argument("table", required=False)
@click.option("--out", "out", metavar="FILE.xlsx", help="The workbook to write.")
@click.option("--unit", "unit_name", metavar="单位", help="Only this unit and the units below it.")
@click.option("--from", "since", metavar="YYYY-MM-DD", help="First day of the period (inclusive).")
@click.option("--to", "until", metavar="YYYY-MM-DD", help="Last day of the period (inclusive).")
@click.option(
    "--as",
    "userid",
    metavar="USERID",
    help="Export exactly what this person sees in chat (a cadre: own targets; a leader: unit).",
)
@click.option("--list", "list_only", is_flag=True, help="List the tables, their seeds and columns.")
@pass_state
def export_cmd(
    state: CliState,
    table: str | None,
    out: str | None,
    unit_name: str | None,
    since: str | None,
    until: str | None,
    userid: str | None,
    list_only: bool,
) -> None:
    """Write one official table (see --list) to an .xlsx file, A4 portrait."""
    if list_only:
        _list_tables()
        return
    if not table or not out:
        _fail(msg.CLI_NEED_TABLE, 2)
    if table not in TABLES:
        _fail(msg.CLI_UNKNOWN_TABLE.format(name=table, names="、".join(TABLES)), 2)
    target = Path(out)
    if target.suffix.lower() != ".xlsx" or not target.parent.resolve().is_dir():
        _fail(msg.CLI_BAD_OUT.format(path=out), 2)
    first, last = _day("--from", since), _day("--to", until)
    if first and last and first > last:
        _fail(msg.CLI_DATE_ORDER.format(since=first, until=last), 2)
    rt = state.runtime()
    tz = ZoneInfo(rt.config.campaign.timezone)
    with rt.unit_of_work() as session:
        campaign = find_active_campaign(session)
        if campaign is None:
            _fail(msg.CLI_NO_CAMPAIGN, 1)
        try:
            scope = resolve_scope(session, campaign.id, unit_name, userid)
        except ScopeError as exc:
            _fail(str(exc), 1)
        request = export_request(campaign.id, scope, first, last, rt.clock(), tz)
        fd, tmp = tempfile.mkstemp(suffix=".xlsx", dir=target.parent.resolve())
        os.close(fd)
        try:
            book = export_table(session, table, request, tmp, _progress)
            os.replace(tmp, target)
            audit.record(
                session,
                rt.clock(),
                cli_actor(),
                audit.VIEW_EXPORT,
                _scope_label(scope.unit_label, userid),
                {
                    "table": table,
                    "records": book.records,
                    "from": first.isoformat() if first else None,
                    "to": last.isoformat() if last else None,
                },
            )
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    if len(book.sheets) == 1:
        wrote = msg.CLI_WROTE.format(path=out, title=book.title, rows=book.row_count)
    else:
        wrote = msg.CLI_WROTE_BOOK.format(
            path=out, title=book.title, sheets=len(book.sheets), records=book.records
        )
    click.echo(wrote, err=True)
