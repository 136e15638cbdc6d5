"""`minqing export quota / four-checks / best-visitors`: the seeds' scores as tables."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli
from tests.support.exports import closing_lines, read_workbook


def export(config_file: Path, tmp_path: Path, table: str, *args: str):  # type: ignore[no-untyped-def]
    path = tmp_path / f"{table}.xlsx"
    out = CliRunner().invoke(
        cli, ["--config", str(config_file), "export", table, "--out", str(path), *args]
    )
    assert out.exit_code == 0, out.output
    wb = read_workbook(path)
    assert wb.sheet.page_setup.orientation == "portrait"
    assert closing_lines(wb.sheet)[-1].startswith("填报单位：")
    return wb


def test_quota_table_one_row_per_cadre(config_file, stown, tmp_path):
    wb = export(config_file, tmp_path, "quota", "--to", "2026-11-23")
    assert wb.title == "走访任务完成情况表"
    assert wb.header == [
        [
            "序号",
            "单位",
            "姓名",
            "走访排查",
            "合计（户）",
            "每轮任务（户）",
            "总任务（户）",
            "完成情况",
        ]
    ]
    assert wb.body == [
        [1, "东山村", "张三", 1, 1, 2, 2, "差 1 户"],
        [2, "东山村", "李四", 2, 2, 2, 2, "达标"],
        [3, "西河村", "孙七", 1, 1, 2, 2, "差 1 户"],
        [4, "西河村", "周八", 0, 0, 2, 2, "差 2 户"],
    ]
    assert wb.notes[1] == "任务：每人每轮不少于 2 户；按入户走访计。达标 1/4 人"


def test_quota_for_a_unit_and_for_one_cadre(config_file, stown, tmp_path):
    west = export(config_file, tmp_path, "quota", "--unit", "西河村")
    assert west.column("姓名") == ["孙七", "周八"]
    own = export(config_file, tmp_path, "quota", "--as", "lisi")
    assert own.column("姓名") == ["李四"]


def test_four_checks_per_village(config_file, stown, tmp_path):
    wb = export(config_file, tmp_path, "four-checks", "--to", "2026-11-23")
    assert wb.title == "“四查四看”情况表"
    assert wb.header[0][2:] == [
        "应访（户）", "已访（户）", "走访完成率", "收集问题", "已办结", "办结率",
        "矛盾纠纷信访", "已化解", "息诉息访率", "回访评价", "满意", "满意率",
    ]  # fmt: skip
    assert wb.body == [
        [1, "东山村", 7, 5, "71.4%", 2, 1, "50%", 0, 0, "—", 1, 1, "100%"],
        [2, "西河村", 5, 2, "40%", 3, 1, "33.3%", 1, 0, "0%", 1, 0, "0%"],
    ]
    assert wb.totals == ["合计", None, 12, 7, "58.3%", 5, 2, "40%", 1, 0, "0%", 2, 1, "50%"]


def test_four_checks_counts_as_of_the_period_end(config_file, stown, tmp_path):
    # on 11-22 only the dispute was raised in 西河村 (the school need and its 不满意
    # verdict, the medical suggestion came on the 23rd)
    wb = export(config_file, tmp_path, "four-checks", "--to", "2026-11-22")
    assert wb.body[1][2:8] == [5, 2, "40%", 1, 0, "0%"]
    assert wb.body[1][11:] == [0, 0, "—"]


def test_best_visitors_ranking(config_file, stown, tmp_path):
    wb = export(config_file, tmp_path, "best-visitors", "--to", "2026-11-23")
    assert wb.title == "最美走访者候选排名"
    assert wb.column("姓名") == ["李四", "张三", "孙七", "周八"]
    assert wb.column("综合得分") == [100.0, 65.0, 38.1, 0.0]
    assert wb.body[1][3:10] == [4, 2, "50%", 1, 2, "50%", "100%"]
    assert "40%" in wb.notes[1]
