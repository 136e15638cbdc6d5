"""The roster workbook as data: a small valid roster (:data:`BASE_SHEETS`) and a writer."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl

from storage.roster import CampaignSpec
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
