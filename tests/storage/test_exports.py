"""Each official table written from the small town, read back with openpyxl and
checked against the database: header rows as in the seed, rows, totals, layout."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import openpyxl
import pytest

from storage.exports import TABLES, export_table
from storage.exports import labels as L
from storage.progress import coverage
from storage.units import UnitTree
from storage.vocab import CATEGORIES_CHANGZHOU
from tests.support.exports import (
    DISPUTE_TEXT,
    EAST_AWAY_PHONE,
    TWO_ROW_HEADERS,
    WEST_AWAY_PHONE,
    closing_lines,
    export_and_read,
    read_workbook,
    request_for,
)
from tests.support.town import PROBLEM_TEXTS, SENSITIVE_PHONE

FORMS = {"village-form", "household-form"}


def test_away_lists_general_households_not_at_home_with_their_details(session, etown, tmp_path):
    wb = export_and_read(session, etown, tmp_path, "away")
    assert wb.title == L.AWAY_TITLE
    assert wb.header == [list(L.AWAY_HEADER)]
    assert [row[:9] for row in wb.body] == [
        [
            1,
            "东山村",
            "3组",
            "陈三",
            EAST_AWAY_PHONE,
            "今年春节后",
            "广东省东莞市长安镇",
            "电子厂务工",
            "李四",
        ],
        [
            2,
            "西河村",
            "3组",
            "黄三",
            WEST_AWAY_PHONE,
            "2025年10月",
            "浙江省义乌市",
            "个体经营",
            "孙七",
        ],
    ]
    assert [d.date() for d in wb.column("登记日期")] == [date(2026, 11, 23), date(2026, 11, 22)]
    assert wb.totals[:2] == [L.TOTAL, L.count_note(2)]


def test_the_period_is_inclusive_shanghai_days(session, etown, tmp_path):
    # 2026-11-23 04:00 UTC is 12:00 in Shanghai on the 23rd; W3's 11-22 visit is outside.
    since = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)  # 2026-11-23 00:00 Shanghai
    wb = export_and_read(session, etown, tmp_path, "away", since=since)
    assert wb.column("户主姓名") == ["陈三"]
    assert "2026-11-23 至 今" in wb.notes[0]


def test_summary_counts_match_the_scheduler_figures(session, etown, sessions, tmp_path):
    wb = export_and_read(session, etown, tmp_path, "summary")
    assert wb.header[0][:4] == ["序号", "单位", "走访任务（户）", "走访情况（户）"]
    assert wb.header[1][3:7] == ["入户走访", "电话联系", "不在家已登记", "未走访"]
    assert wb.header[1][9:13] == ["合计", "已解决", "已解释", "待解决"]
    # 东山村: E2 reached by phone, E7 away (not 电话联系); 西河村: W3 away, W4 only 约访.
    assert wb.body == [
        [1, "东山村", 7, 3, 1, 1, 2, 3, 2, 2, 1, 0, 1],
        [2, "西河村", 5, 1, 0, 1, 3, 1, 1, 3, 1, 0, 2],
    ]
    assert wb.totals == [L.TOTAL, None, 12, 4, 1, 2, 5, 4, 3, 5, 2, 0, 3]
    tree = UnitTree.load(session)
    cov = {
        c.unit: c
        for c in coverage(session, etown.town.campaign_id, tree, tree.subtree(etown.town.town_id))
    }
    for row in wb.body:
        c = cov[row[1]]
        assert row[2:9] == [
            c.assigned,
            c.visited,
            c.phone,
            c.away,
            c.not_visited,
            c.key_assigned,
            c.key_contacted,
        ]
    merged = {str(r) for r in wb.sheet.merged_cells.ranges}
    assert {"D4:G4", "A4:A5"} <= merged


def test_halfmonth_lays_out_the_fact_layer_rows_as_seed_003_form(session, etown, tmp_path):
    wb = export_and_read(session, etown, tmp_path, "halfmonth")
    assert wb.header == [list(L.HALFMONTH_HEADER)]
    assert wb.body[0] == ["困难需求", None, 1, 0, 0, 1]
    assert wb.body[1] == [None, L.TOTAL, 1, 0, 0, 1]
    suggestions = {row[1]: tuple(row[2:]) for row in wb.body[2:]}
    # The seed form's row labels: 其他 is written 其他方面.
    assert list(suggestions) == [*CATEGORIES_CHANGZHOU[:-1], "其他方面"]
    assert suggestions["平安治理"] == (1, 1, 0, 2)  # road solved, the dispute assigned
    assert suggestions["房屋土地"] == (0, 1, 0, 1)
    assert wb.totals == [L.TOTAL, None, 2, 3, 0, 5]
    assert L.HALFMONTH_NOTE in wb.notes
    # 市（区）/镇（街道） come from the roster: the town has one 镇 and no 县
    assert wb.notes[0] == "市（区）：    镇（街道）：虹桥镇    村（社区）："
    assert "A6:A7" in {str(r) for r in wb.sheet.merged_cells.ranges}  # 困难需求 over its 合计


def test_no_problem_lists_contacted_households_without_problems(session, etown, tmp_path):
    wb = export_and_read(session, etown, tmp_path, "no-problem")
    assert wb.header == [list(L.NO_PROBLEM_HEADER)]
    # 陈三 was away (nobody was asked), 刘大 and 刘二 have problems
    assert wb.column("群众姓名") == ["陈大", "陈二"]
    assert wb.column("走访人") == ["李四"] * 2


def test_problem_lists_hold_every_problem_with_phones_masked(session, etown, tmp_path):
    wb = export_and_read(session, etown, tmp_path, "problems")
    assert wb.header == [list(L.PROBLEM_LIST_HEADER)]
    assert len(wb.body) == 5 and wb.totals[1] == L.count_note(5)
    # seed 004: 社会治安 comes before 其他 inside 镇村解决
    assert wb.body[0][3] == DISPUTE_TEXT
    assert SENSITIVE_PHONE not in wb.text()
    assert "[电话已隐去]" in wb.text()


def test_handling_tables_split_disputes_from_suggestions(session, etown, tmp_path):
    disputes = export_and_read(session, etown, tmp_path, "disputes")
    assert disputes.header == [list(L.HANDLING_HEADER)]
    assert disputes.column("事项内容") == [DISPUTE_TEXT]
    assert disputes.column("责任单位") == ["虹桥镇"]
    assert disputes.column("办理时限")[0].date() == date(2026, 11, 29)
    suggestions = export_and_read(session, etown, tmp_path, "suggestions")
    assert suggestions.column("事项内容") == [PROBLEM_TEXTS["road"], PROBLEM_TEXTS["medical"]]
    assert suggestions.column("办理情况")[0] == "镇村解决；已解决"


@pytest.mark.parametrize("key", sorted(TABLES))
def test_every_table_is_print_ready(session, etown, tmp_path, key):
    spec = TABLES[key]
    path = tmp_path / f"{key}.xlsx"
    export_table(session, key, request_for(session, etown.town.campaign_id), path)
    for ws in openpyxl.load_workbook(path).worksheets:
        assert ws["A1"].value == spec.title
        assert ws.page_setup.orientation == "portrait" and int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        # every table closes with the 填报单位 / 填报人 / 审核人 / 日期 line, blanks for a pen
        closing = closing_lines(ws)[-1]
        assert closing.startswith("填报单位：________") and "审核人：________" in closing
        assert closing.endswith("日期：____年__月__日")
    if key in FORMS:  # a paper form has no header row to repeat
        return
    wb = read_workbook(path, 2 if key in TWO_ROW_HEADERS else 1)
    ws = wb.sheet
    assert ws.print_title_rows  # the header repeats on every page
    assert all(ws.column_dimensions[c].width >= 6 for c in "ABCDE")
    header_cells = [c for c in wb.header[-1] if c] + [c for c in wb.header[0] if c]
    assert set(spec.columns) <= set(header_cells)


def test_the_closing_line_names_the_unit_the_person_and_the_day(session, etown, tmp_path):
    path = tmp_path / "issues.xlsx"
    request = replace(
        request_for(session, etown.town.campaign_id, userid="zhaozs"), today=date(2026, 11, 23)
    )
    export_table(session, "issues", request, path)
    closing = closing_lines(read_workbook(path).sheet)[-1]
    assert closing == (
        "填报单位：东山村    填报人：赵支书    审核人：________    日期：2026年11月23日"
    )
