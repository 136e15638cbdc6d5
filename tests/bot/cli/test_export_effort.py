"""`minqing export cadre-summary / line-summary`: effort by the visiting cadre and by
the cadre's own unit (a 线办 that visits a village it does not own included)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import cli
from storage.models import Cadre, Problem, Target, Unit, Visit
from tests.support.exports import ExportTown, read_workbook
from tests.support.scores import build_score_town

LINE_TEXT = "建议在村口加装监控，夜里有人偷电瓶"


@pytest.fixture(name="ltown")
def ltown_fixture(sessions) -> ExportTown:  # type: ignore[no-untyped-def]
    """The score town plus 综治办 (a 线办 of 虹桥镇) whose 钱十一 visited 何二 (W5,
    assigned to 周八) on 11-22 and raised one suggestion, explained on the spot."""
    with sessions() as s:
        etown = build_score_town(s)
        office = Unit(name="综治办", kind="线办", parent_id=etown.town.town_id)
        s.add(office)
        s.flush()
        qian = Cadre(userid="qian11", name="钱十一", unit_id=office.id, role="visitor")
        s.add(qian)
        s.flush()
        w5 = s.scalar(select(Target).where(Target.code == "W5"))
        when = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
        visit = Visit(
            campaign_id=etown.town.campaign_id,
            target_id=w5.id,
            cadre_id=qian.id,
            template="yizou_erwen_sankan",
            outcome="visited",
            answers={},
            started_at=when - timedelta(minutes=10),
            submitted_at=when,
        )
        s.add(visit)
        s.flush()
        s.add(
            Problem(
                visit_id=visit.id,
                target_id=w5.id,
                found_by_id=qian.id,
                unit_id=etown.town.west_id,
                text=LINE_TEXT,
                kind="意见建议",
                category="平安治理",
                category_alt="社会治安",
                status="explained",
                created_at=when,
                closed_at=when,
            )
        )
        s.commit()
        return etown


def export(config_file: Path, tmp_path: Path, table: str, *args: str):  # type: ignore[no-untyped-def]
    path = tmp_path / f"{table}.xlsx"
    out = CliRunner().invoke(
        cli, ["--config", str(config_file), "export", table, "--out", str(path), *args]
    )
    assert out.exit_code == 0, out.output
    return read_workbook(path, header_rows=2)


def test_cadre_summary_is_002_attachment_1_with_a_row_per_cadre(config_file, ltown, tmp_path):
    wb = export(config_file, tmp_path, "cadre-summary", "--to", "2026-11-23")
    assert wb.title == "县乡干部大走访活动汇总表"
    assert wb.header[0][:4] == ["序号", "单位", "姓名", "走访户数（户）"]
    assert wb.header[1][3:] == [
        "入户走访", "电话联系", "不在家已登记", "合计",
        "矛盾纠纷", "意见建议", "其他", "已办结", "未办结",
    ]  # fmt: skip
    assert wb.body == [
        [1, "东山村", "张三", 1, 1, 0, 2, 0, 1, 1, 1, 1],
        [2, "东山村", "李四", 2, 0, 1, 3, 0, 0, 0, 0, 0],
        [3, "西河村", "孙七", 1, 0, 1, 2, 1, 1, 1, 1, 2],
        [4, "西河村", "周八", 0, 0, 0, 0, 0, 0, 0, 0, 0],  # an appointment is no visit
        [5, "综治办", "钱十一", 1, 0, 0, 1, 0, 1, 0, 1, 0],
    ]
    assert wb.totals == ["合计", None, None, 5, 1, 2, 8, 1, 3, 2, 3, 3]
    assert {"D3:G3", "A3:A4"} <= {str(r) for r in wb.sheet.merged_cells.ranges}


def test_a_line_office_sees_its_own_cadre_who_visited_elsewhere(config_file, ltown, tmp_path):
    wb = export(config_file, tmp_path, "cadre-summary", "--unit", "综治办")
    assert wb.body == [[1, "综治办", "钱十一", 1, 0, 0, 1, 0, 1, 0, 1, 0]]


def test_line_summary_is_the_000_summary_per_office(config_file, ltown, tmp_path):
    wb = export(config_file, tmp_path, "line-summary", "--to", "2026-11-23")
    assert wb.title == "民情大走访意见建议汇总表"
    assert wb.header[0][:4] == ["序号", "线办（单位）", "收集（件）", "按类别（件）"]
    assert wb.header[1][3:] == [
        "房屋土地", "医疗卫生", "教育文化", "平安治理", "就业创业", "社会保障", "其他",
        "已解决", "已解释", "待办理", "其中逾期",
    ]  # fmt: skip
    assert wb.body == [
        [1, "东山村", 2, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1],
        [2, "综治办", 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0],
        [3, "西河村", 3, 0, 1, 1, 1, 0, 0, 0, 1, 0, 2, 0],
    ]
    assert wb.totals == ["合计", None, 6, 1, 1, 1, 3, 0, 0, 0, 2, 1, 3, 1]
    assert LINE_TEXT not in wb.text()  # counts only
