"""`minqing export`: writes the table, refuses bad arguments with one line and no file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from storage.exports import TABLES
from tests.support.exports import EAST_AWAY_PHONE, read_workbook


def run(config_file: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["--config", str(config_file), "export", *args])


def test_list_names_every_table_with_its_seed(config_file):
    out = run(config_file, "--list")
    assert out.exit_code == 0
    for spec in TABLES.values():
        assert spec.key in out.stdout and spec.seed in out.stdout


def test_export_writes_the_table_in_the_asked_scope(config_file, etown, tmp_path):
    path = tmp_path / "不在家.xlsx"
    out = run(config_file, "away", "--out", str(path), "--as", "zhaozs")
    assert out.exit_code == 0, out.output
    assert "1 行" in out.stderr
    wb = read_workbook(path)
    assert wb.column("户主姓名") == ["陈三"] and wb.column("联系电话") == [EAST_AWAY_PHONE]
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".xlsx"] == [path.name]


def test_export_period_and_unit(config_file, etown, tmp_path):
    path = tmp_path / "away.xlsx"
    args = ["away", "--out", str(path), "--unit", "虹桥镇", "--from", "2026-11-22"]
    out = run(config_file, *args, "--to", "2026-11-22")
    assert out.exit_code == 0, out.output
    wb = read_workbook(path)
    assert wb.column("户主姓名") == ["黄三"]
    assert "单位：虹桥镇" in wb.notes[0] and "2026-11-22 至 2026-11-22" in wb.notes[0]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["nosuch"], 2, "不认识的表“nosuch”"),
        (["away", "--unit", "北山村"], 1, "找不到单位“北山村”"),
        (["away", "--as", "nobody"], 1, "找不到账号“nobody”"),
        (["away", "--from", "2026-13-01"], 2, "--from 日期“2026-13-01”格式不对"),
        (["away", "--from", "2026-11-20", "--to", "2026-11-01"], 2, "晚于"),
    ],
)
def test_bad_arguments_write_no_file(config_file, etown, tmp_path, args, code, message):
    path = tmp_path / "out.xlsx"
    out = run(config_file, *args[:1], "--out", str(path), *args[1:])
    assert out.exit_code == code
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert list(tmp_path.glob("*.xlsx")) == []


def test_out_must_be_an_xlsx_in_an_existing_folder(config_file, tmp_path):
    out = run(config_file, "away", "--out", str(tmp_path / "missing" / "a.xlsx"))
    assert out.exit_code == 2 and "--out" in out.stderr
    out = run(config_file, "away", "--out", str(tmp_path / "a.csv"))
    assert out.exit_code == 2 and not (tmp_path / "a.csv").exists()


def test_no_active_campaign_is_refused(config_file, tmp_path):
    out = run(config_file, "away", "--out", str(tmp_path / "a.xlsx"))
    assert out.exit_code == 1 and "还没有进行中的走访活动" in out.stderr
    assert list(tmp_path.glob("*.xlsx")) == []


def test_large_exports_show_a_progress_bar_on_stderr(capsys):
    from bot.cli.exports import PROGRESS_FROM_ROWS, _progress

    rows = [(n,) for n in range(PROGRESS_FROM_ROWS)]
    assert list(_progress(rows)) == rows
    assert "写入" in capsys.readouterr().err
    assert list(_progress(rows[:10])) == rows[:10]
    assert capsys.readouterr().err == ""
