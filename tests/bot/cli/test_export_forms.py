"""`minqing export village-form / household-form / household-list`: the seed-003
paper forms, one sheet per village or household, as a clerk would print them."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from bot.cli import cli
from tests.support.exports import closing_lines, read_workbook
from tests.support.forms import EAST_ECONOMY, HOUSEHOLD_ANSWERS, SECRETARY_PHONE
from tests.support.town import PROBLEM_TEXTS


def export(config_file: Path, tmp_path: Path, table: str, *args: str):  # type: ignore[no-untyped-def]
    path = tmp_path / f"{table}.xlsx"
    out = CliRunner().invoke(
        cli, ["--config", str(config_file), "export", table, "--out", str(path), *args]
    )
    assert out.exit_code == 0, out.output
    return openpyxl.load_workbook(path), out


def cells(ws) -> list[list[object]]:  # type: ignore[no-untyped-def]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def assert_print_ready(ws) -> None:  # type: ignore[no-untyped-def]
    assert ws.page_setup.orientation == "portrait" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    # one page wide (fitToWidth absent is 1, the schema's default), as many pages tall as needed
    assert ws.page_setup.fitToWidth in (None, 1, "1") and int(ws.page_setup.fitToHeight) == 0


def test_village_form_is_one_sheet_per_village_in_the_seed_layout(config_file, ftown, tmp_path):
    wb, out = export(config_file, tmp_path, "village-form")
    assert "2 张表（2 份）" in out.stderr
    assert wb.sheetnames == ["东山村", "西河村"]  # village targets only, never households
    ws = wb["东山村"]
    rows = cells(ws)
    assert rows[0][0] == "村（社区）调查表"
    assert rows[1][0] == "市（区）：    镇（街道）：虹桥镇    村（社区）：东山村"
    assert rows[2][0] == "基本情况"
    # the later of the two surveys, numbers kept numeric, two pairs per row as on paper
    assert rows[3] == ["总户数", 820, "总人口", 2950]
    assert rows[4] == ["人均可支配收入（元）", 31000, "村（社区）干部平均年收入（元）", 86000]
    assert rows[7] == ["大学生村官人数", 1, "村（社区）集体总收入（万元）", 260]
    assert rows[8] == ["村（社区）经营性收入（万元）", 120.5, "村（社区）集体总资产（万元）", 3500]
    assert rows[9][0] == "本村存在的主要困难和发展对策建议（可另附纸）"
    texts = {r[0]: r[1] for r in rows[10:16]}
    assert texts["村级经济发展方面："] == EAST_ECONOMY
    assert texts["基层党建方面："] is None and list(texts)[-1] == "其他方面："
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A3:D3", "A10:D10", "B11:D11", "B16:D16"} <= merged
    assert ws["B12"].alignment.horizontal == "left" and ws["B12"].alignment.wrap_text
    tail = [r[0] for r in rows[16:] if r[0]]
    assert tail[:3] == [
        f"村（社区）：东山村  书记：赵支书  电话：{SECRETARY_PHONE}",
        "走访单位：东山村  联系人：张三  电话：13900000000",
        "日期：2026年11月20日",
    ]
    assert tail[-1].startswith("填报单位：") and "审核人：" in tail[-1]
    assert re.search(r"日期：\d{4}年\d{1,2}月\d{1,2}日$", tail[-1])
    assert_print_ready(ws)
    assert wb["西河村"]["B4"].value == 410 and wb["西河村"]["B5"].value is None


def test_village_form_follows_the_unit(config_file, ftown, tmp_path):
    wb, _ = export(config_file, tmp_path, "village-form", "--unit", "西河村")
    assert wb.sheetnames == ["西河村"]
    assert closing_lines(wb["西河村"])[-1].startswith("填报单位：西河村")


def test_household_form_is_one_sheet_per_household_visited_at_home(config_file, ftown, tmp_path):
    wb, out = export(config_file, tmp_path, "household-form", "--unit", "东山村")
    # at home in 东山村: 刘大 (E1), 陈大 (E5), 陈二 (E6); not the village survey target
    assert wb.sheetnames == ["刘大-东山村", "陈大-东山村", "陈二-东山村"]
    assert "3 张表（3 份）" in out.stderr
    ws = wb["陈大-东山村"]
    rows = cells(ws)
    assert rows[0][0] == "群众入户调查表"
    assert rows[1] == ["户主姓名", "陈大", "联系电话", HOUSEHOLD_ANSWERS["phone"], "家庭成员数", 4]
    by_label = {r[0]: r[1] for r in rows[2:8]}
    assert by_label["家庭住址"] == "陈大家门口"
    assert by_label["家庭收入情况（家境情况）"] == "贫困户"  # the choice's words, not its id
    assert by_label["致贫原因及现状（贫困户填写）"] == HOUSEHOLD_ANSWERS["poverty_cause"]
    assert by_label["困难需求（贫困户填写）"] == HOUSEHOLD_ANSWERS["needs"]
    assert (
        by_label["意见建议（对居住、就医、教育、文化、平安、社保等）"]
        == (HOUSEHOLD_ANSWERS["suggestion"])
    )
    assert by_label["意见建议处理落实情况"] == "登记带回研究"
    assert {"B3:F3", "B8:F8"} <= {str(r) for r in ws.merged_cells.ranges}
    tail = [r[0] for r in rows[8:] if r[0]]
    assert tail[0] == "所属地：市（区）：    镇（街道）：虹桥镇    村（社区）：东山村"
    assert tail[1] == "采集人（单位）：李四（东山村）    走访日期：2026年11月21日"
    assert tail[-1].startswith("填报单位：东山村")
    assert_print_ready(ws)
    # a visit made with another questionnaire: the blanks come from its ledger problems
    other = {r[0]: r[1] for r in cells(wb["刘大-东山村"])[2:8]}
    assert other["困难需求（贫困户填写）"] == PROBLEM_TEXTS["school"]
    assert PROBLEM_TEXTS["road"] in other["意见建议（对居住、就医、教育、文化、平安、社保等）"]
    assert other["意见建议处理落实情况"] == "交办 1 件；已解决 2 件；登记 1 件"


def test_household_list_has_one_row_per_household(config_file, ftown, tmp_path):
    _, out = export(config_file, tmp_path, "household-list", "--unit", "东山村")
    assert "3 行" in out.stderr
    wb = read_workbook(tmp_path / "household-list.xlsx")
    assert wb.title == "群众入户调查表（汇总清单）"
    assert wb.column("户主姓名") == ["刘大", "陈大", "陈二"]
    assert wb.column("家庭收入情况") == [None, "贫困户", None]
    assert wb.column("采集人") == ["张三", "李四", "李四"]
    assert wb.totals[:2] == ["合计", "共 3 条"]


def test_a_cadre_exports_only_own_households(config_file, ftown, tmp_path):
    wb, _ = export(config_file, tmp_path, "household-form", "--as", "lisi")
    assert wb.sheetnames == ["陈大-东山村", "陈二-东山村"]
    assert "填报人：李四" in closing_lines(wb["陈大-东山村"])[-1]


def test_issues_list_is_one_sheet_per_cadre_with_the_seed_header_lines(
    config_file, ftown, tmp_path
):
    wb, out = export(config_file, tmp_path, "issues")
    assert "2 张表（5 份）" in out.stderr
    assert wb.sheetnames == ["张三", "孙七"]  # 东山村's cadre first, then 西河村's
    zhang = cells(wb["张三"])
    assert zhang[0][0] == "党员干部走访收集问题清单"
    assert [r[0] for r in zhang[1:4]] == [
        "（个人填写，交本单位汇总）",
        "走访人：张三",
        "走访时间：2026-11-05 至 2026-11-12",
    ]
    assert zhang[4] == ["序号", "走访对象", "反映问题或意见建议", "办理意见"]
    assert [r[1] for r in zhang[5:7]] == ["刘大", "刘二"]
    assert "138****5678" in zhang[5][2]  # the slope problem's phone number is masked
    assert [r[3] for r in zhang[5:7]] == ["交东山村办理（镇村解决）", "已解决"]
    sun = cells(wb["孙七"])
    handling = {r[1]: r[3] for r in sun[5:8]}
    assert handling == {
        "黄大": "已解决",
        "黄二": "登记带回，拟镇村解决",
        "黄三": "交虹桥镇办理（镇村解决）",
    }
    assert sun[8][:2] == ["合计", "共 3 条"]
    assert wb["孙七"].print_title_rows == "$5:$5"
    assert_print_ready(wb["孙七"])


def test_a_cadre_exports_only_their_own_issues_sheet(config_file, ftown, tmp_path):
    wb, _ = export(config_file, tmp_path, "issues", "--as", "zhangsan")
    assert wb.sheetnames == ["张三"]
