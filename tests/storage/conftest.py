"""Roster fixtures: a small valid workbook as data, a writer, and table dumps."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine, select

from storage.db import unit_of_work
from storage.models import AuditLog, Base
from storage.roster import CampaignSpec, Prepared, import_roster
from storage.roster.sheets import SPECS, TARGETS

Sheets = dict[str, list[list[Any]]]

CAMPAIGN = CampaignSpec("测试走访活动", "yizou_erwen_sankan", 30)
IMPORT_AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

TARGET_HEADERS = list(SPECS[TARGETS].headers)
BASE_SHEETS: Sheets = {
    "单位": [
        ["单位名称", "上级单位", "类型"],
        ["虹桥镇", "", "镇"],
        ["综治办", "虹桥镇", "线办"],
        ["虹桥村", "虹桥镇", "村"],
        ["桃源村", "虹桥镇", "村"],
    ],
    "干部": [
        ["姓名", "企业微信账号", "单位", "角色", "手机"],
        ["张伟", "zhangwei", "虹桥村", "走访干部", "13800001001"],
        ["李芳", "lifang", "桃源村", "走访干部", 13800001002],
        ["王强", "wangqiang", "综治办", "负责人", ""],
        ["赵敏", "zhaomin", "虹桥镇", "管理员", "0731-00001234"],
    ],
    "走访对象": [
        TARGET_HEADERS,
        [
            "HQ-1",
            "陈建华",
            "虹桥村",
            "1组",
            "1组1号",
            "13800002001",
            "党员、退役军人",
            4,
            "zhangwei",
        ],
        ["HQ-2", "周红梅", "虹桥村", "1组", "1组2号", "", "", 3, "张伟"],
        ["", "吴国庆", "桃源村", "2组", "2组7号", "138 0000 2003", "信教人士", "", "lifang"],
        ["", "桃源便民超市", "桃源村", "2组", "2组9号", "0731-00002004", "商铺", 0, ""],
    ],
    "活动阶段": [
        ["阶段名称", "开始日期", "截止日期"],
        ["走访排查", "2026-11-16", datetime(2026, 12, 16)],
        ["汇总研判", "2026/12/17", "2026年12月30日"],
    ],
}


def write_workbook(path: Path, sheets: Sheets) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


@pytest.fixture
def sheets() -> Sheets:
    """A fresh copy of the small valid roster, to edit per test."""
    return copy.deepcopy(BASE_SHEETS)


@pytest.fixture
def write_book(tmp_path: Path) -> Callable[..., Path]:
    def write(sheets: Sheets, name: str = "roster.xlsx") -> Path:
        return write_workbook(tmp_path / name, sheets)

    return write


@pytest.fixture
def run_import(sessions) -> Callable[..., Prepared]:  # type: ignore[no-untyped-def]
    """Import a file in its own unit of work, as the CLI does; return the Prepared."""

    def run(path: Path, sheet: str | None = None) -> Prepared:
        with unit_of_work(sessions) as session:
            return import_roster(session, path, CAMPAIGN, IMPORT_AT, "test", sheet=sheet)

    return run


def dump_tables(engine: Engine, skip: tuple[str, ...] = ("audit_log",)) -> dict[str, list[tuple]]:
    """Every row of every table (bar ``skip``), ordered by primary key."""
    out = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in skip:
                continue
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(r) for r in rows]
    return out


def audit_entries(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [row.detail for row in conn.execute(select(AuditLog).order_by(AuditLog.id))]
