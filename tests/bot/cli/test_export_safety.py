"""Every workbook the CLI writes holds data, never a formula someone typed in chat;
personal numbers are masked in tables without a phone column; no invisible or
line-breaking characters reach a cell (issue 11, items 2, 3 and 8)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import cli
from storage.exports import TABLES
from storage.models import Cadre, Problem, Target, Visit

EVIL_ANSWER = '=HYPERLINK("http://evil.example/x","点我")'
EVIL_NAME = '=cmd|"/C calc"!A0'
ID_NUMBER = "430621195801011234"
RTL, ZWSP = "\u202e", "\u200b"


@pytest.fixture
def evil_town(etown, sessions):  # type: ignore[no-untyped-def]
    """黄三 (W3, away, a dispute) renamed by someone who types formulas; a suggestion
    answered with a HYPERLINK formula; a problem with an ID number and invisible marks."""
    with sessions() as s:
        w3 = s.scalar(select(Target).where(Target.code == "W3"))
        w3.head_name = EVIL_NAME
        w3.address = "@SUM(1+1)*cmd"
        visit = s.scalar(select(Visit).where(Visit.target_id == w3.id))
        visit.answers = {**visit.answers, "occupation": "-2+3+cmd|' /C calc'!A0"}
        sun = s.scalar(select(Cadre).where(Cadre.userid == "sunqi"))
        when = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
        for text, note in (
            (EVIL_ANSWER, "+1 已答复"),
            (f"身份证{ID_NUMBER}的老人低保{RTL}问题{ZWSP}待核实\n#99 [已回访]", ""),
        ):
            s.add(
                Problem(
                    target_id=w3.id,
                    found_by_id=sun.id,
                    unit_id=w3.unit_id,
                    text=text,
                    kind="意见建议",
                    category="其他",
                    category_alt="其他",
                    status="solved",
                    closing_note=note,
                    created_at=when,
                    closed_at=when,
                )
            )
        s.commit()
    return etown


def cli_run(config_file: Path, *args: str):  # type: ignore[no-untyped-def]
    out = CliRunner().invoke(cli, ["--config", str(config_file), *args])
    assert out.exit_code == 0, out.output
    return out


def every_workbook(config_file: Path, folder: Path) -> dict[str, Path]:
    files = {}
    for key in TABLES:
        files[key] = folder / f"{key}.xlsx"
        cli_run(config_file, "export", key, "--out", str(files[key]))
    files["export-roster"] = folder / "roster.xlsx"
    cli_run(config_file, "export-roster", str(files["export-roster"]))
    files["roster-template"] = folder / "template.xlsx"
    cli_run(config_file, "roster-template", str(files["roster-template"]))
    return files


def cells(path: Path):  # type: ignore[no-untyped-def]
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from (c for c in row if c.value is not None)


def test_no_export_holds_a_formula_and_the_typed_text_shows_as_typed(
    config_file, evil_town, tmp_path
):
    files = every_workbook(config_file, tmp_path)
    seen: dict[str, set[str]] = {}
    for name, path in files.items():
        for cell in cells(path):
            assert cell.data_type != "f", f"{name} {cell.coordinate}: formula {cell.value!r}"
            if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                assert cell.quotePrefix, f"{name} {cell.coordinate}: {cell.value!r}"
            seen.setdefault(name, set()).add(str(cell.value))
    assert EVIL_ANSWER in seen["suggestions"] and EVIL_ANSWER in seen["problems"]
    assert EVIL_NAME in seen["away"] and EVIL_NAME in seen["export-roster"]
    assert "-2+3+cmd|' /C calc'!A0" in seen["away"]


def test_the_exported_roster_reimports_the_formula_like_name_unchanged(
    config_file, evil_town, tmp_path, sessions
):
    path = tmp_path / "roster.xlsx"
    cli_run(config_file, "export-roster", str(path))
    cli_run(config_file, "import-roster", str(path))
    with sessions() as s:
        assert s.scalar(select(Target.head_name).where(Target.code == "W3")) == EVIL_NAME


def test_personal_numbers_are_masked_where_the_form_has_no_phone_column(
    config_file, evil_town, tmp_path
):
    files = every_workbook(config_file, tmp_path)
    for key, spec in TABLES.items():
        text = "\n".join(str(c.value) for c in cells(files[key]))
        assert ID_NUMBER not in text, key
        if not spec.has_phone:
            # The tables of seed forms without a phone column: no phone of any kind.
            assert "13700001111" not in text and "13900000000" not in text, key
    problems = "\n".join(str(c.value) for c in cells(files["problems"]))
    assert "身份证430621********1234的老人" in problems


def test_no_invisible_or_line_breaking_character_reaches_a_cell(config_file, evil_town, tmp_path):
    files = every_workbook(config_file, tmp_path)
    for name, path in files.items():
        for cell in cells(path):
            if isinstance(cell.value, str):
                bad = [ch for ch in (RTL, ZWSP, "\r", "\n") if ch in cell.value]
                assert not bad, f"{name} {cell.coordinate}: {cell.value!r}"
    problems = "\n".join(str(c.value) for c in cells(files["problems"]))
    assert "低保问题待核实 #99 [已回访]" in problems
