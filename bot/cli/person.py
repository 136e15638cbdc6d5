"""``minqing person export CODE`` / ``minqing person erase CODE --yes``.

A household's request under 个人信息保护法, CODE being its roster 编号: export writes
everything held about it (JSON or xlsx), erase removes every trace (storage.person).
Both write an audit entry. Exit codes: 0 done, 1 no such household, 2 usage.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from openpyxl import Workbook

from bot.cli.audit import cli_actor
from bot.cli.base import CliState, cli, pass_state
from storage import audit, person


@cli.group("person")
def person_group() -> None:
    """Answer a household's request about its data (个人信息保护法)."""


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _write_xlsx(held: person.Held, path: Path) -> None:
    book = Workbook()
    book.remove(book.active)
    for name, records in held.sections().items():
        sheet = book.create_sheet(name)
        columns: list[str] = []
        for record in records:
            columns += [k for k in record if k not in columns]
        sheet.append(columns)
        for record in records:
            sheet.append([_cell(record.get(c)) for c in columns])
    book.save(path)


@person_group.command("export")
@click.argument("code")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.json or FILE.xlsx (default: JSON on stdout).",
)
@pass_state
def person_export(state: CliState, code: str, out: Path | None) -> None:
    """Everything held about the household with roster 编号 CODE."""
    if out is not None and out.suffix.lower() not in (".json", ".xlsx"):
        click.echo(f"--out 须为 .json 或 .xlsx (must end in .json or .xlsx): {out}", err=True)
        sys.exit(2)
    rt = state.runtime()
    with rt.unit_of_work() as session:
        target = person.find(session, code)
        if target is None:
            click.echo(f"花名册中没有编号“{code}”的户 (no household with this code)", err=True)
            sys.exit(1)
        held = person.collect(session, target)
        counts = {k: len(v) for k, v in held.sections().items()}
        audit.record(
            session, rt.clock(), cli_actor(), audit.VIEW_PERSON, f"household:{code}", counts
        )
    if out is None:
        click.echo(json.dumps(held.as_json(), ensure_ascii=False, indent=2))
    elif out.suffix.lower() == ".json":
        out.write_text(json.dumps(held.as_json(), ensure_ascii=False, indent=2), encoding="utf-8")
    else:
        _write_xlsx(held, out)
    summary = "，".join(f"{k} {n}" for k, n in counts.items())
    click.echo(f"已导出 编号 {code}：{summary}", err=True)


@person_group.command("erase")
@click.argument("code")
@click.option("--yes", is_flag=True, help="Really erase (cannot be undone; back up first).")
@pass_state
def person_erase(state: CliState, code: str, yes: bool) -> None:
    """Remove every trace of the household with roster 编号 CODE (asks for --yes)."""
    rt = state.runtime()
    with rt.unit_of_work() as session:
        target = person.find(session, code)
        if target is None:
            click.echo(f"花名册中没有编号“{code}”的户 (no household with this code)", err=True)
            sys.exit(1)
        if not yes:
            click.echo(
                f"将删除编号 {code} 的户的全部个人信息，无法撤销；确认请加 --yes "
                "(erases every trace of this household; add --yes)",
                err=True,
            )
            sys.exit(2)
        done = person.erase(session, target)
        audit.record(
            session,
            rt.clock(),
            cli_actor(),
            audit.PERSON_ERASED,
            f"household:{code}",
            {
                "target_id": done.target_id,
                "visits": done.visits,
                "photos": done.photos,
                "problems": done.problems,
                "swept": done.swept,
            },
        )
    click.echo(
        f"已删除编号 {code} 的个人信息：走访 {done.visits} 次、照片 {done.photos} 张、"
        f"问题 {done.problems} 条、其他位置 {done.swept} 处"
    )
