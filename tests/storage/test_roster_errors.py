"""Every error class of the roster import: listed as `sheet row column: reason`, nothing written."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from storage import vocab
from storage.roster import RosterFileError
from tests.support.db import audit_entries, dump_tables

Sheets = dict[str, list[list[Any]]]
KINDS = "、".join(vocab.UNIT_KINDS)


def setter(sheet: str, row: int, col: int, value: Any) -> Callable[[Sheets], None]:
    """Change one cell; ``row`` is the Excel row number (header = 1)."""

    def edit(sheets: Sheets) -> None:
        sheets[sheet][row - 1][col] = value

    return edit


def append(sheet: str, row: list[Any]) -> Callable[[Sheets], None]:
    return lambda sheets: sheets[sheet].append(row)


def both(*edits: Callable[[Sheets], None]) -> Callable[[Sheets], None]:
    def edit(sheets: Sheets) -> None:
        for e in edits:
            e(sheets)

    return edit


def drop_sheet(name: str) -> Callable[[Sheets], None]:
    return lambda sheets: sheets.pop(name)


PHONE_HINT = "（手机 11 位，如 13800001234；固话带区号，如 0731-84000000）"

CASES: dict[str, tuple[Callable[[Sheets], None], list[str]]] = {
    "unknown category": (
        setter("走访对象", 2, 6, "党员、信徒"),
        ["走访对象 2 类别: 未知类别 “信徒”（可用类别见“说明”工作表）"],
    ),
    "unknown unit of a target": (
        setter("走访对象", 2, 2, "红桥村"),
        ["走访对象 2 所属村社区: 未知单位 “红桥村”（单位工作表和数据库中都没有）"],
    ),
    "unknown parent unit": (
        setter("单位", 4, 1, "虹桥县"),
        ["单位 4 上级单位: 未知单位 “虹桥县”（单位工作表和数据库中都没有）"],
    ),
    "unknown unit of a cadre": (
        setter("干部", 2, 2, "虹桥小区"),
        ["干部 2 单位: 未知单位 “虹桥小区”（单位工作表和数据库中都没有）"],
    ),
    "unknown cadre": (
        setter("走访对象", 2, 8, "nobody"),
        ["走访对象 2 走访干部: 未知走访干部 “nobody”（既不是已知的企业微信账号，也不是干部姓名）"],
    ),
    "ambiguous cadre name": (
        append("干部", ["张伟", "zhangwei2", "桃源村", "走访干部", ""]),
        [
            "走访对象 3 走访干部: 走访干部姓名 “张伟” 有重名（zhangwei、zhangwei2），请填写企业微信账号"
        ],
    ),
    "duplicate 企业微信账号": (
        append("干部", ["张伟伟", "zhangwei", "桃源村", "走访干部", ""]),
        ["干部 6 企业微信账号: 企业微信账号重复 “zhangwei”（与第 2 行相同）"],
    ),
    "phone in a cadre's name": (
        setter("干部", 3, 0, "李芳13800001002"),
        ["干部 3 姓名: 姓名中不能有 5 位以上连续数字 “李芳13800001002”（电话号码请填在电话列）"],
    ),
    "id-like digits in a household head's name": (
        setter("走访对象", 3, 1, "周红梅４３０５２"),  # full-width digits count too
        [
            "走访对象 3 户主姓名: 姓名中不能有 5 位以上连续数字 “周红梅４３０５２”（电话号码请填在电话列）"
        ],
    ),
    "sensitive word in a cadre's name": (
        setter("干部", 4, 0, "王强（信访）"),
        ["干部 4 姓名: 姓名中不能有敏感词 “信访” “王强（信访）”（对象类别请填在类别列）"],
    ),
    "category written into a household head's name": (
        setter("走访对象", 4, 1, "吴国庆信教人士"),
        ["走访对象 4 户主姓名: 姓名中不能有敏感词 “信教” “吴国庆信教人士”（对象类别请填在类别列）"],
    ),
    "duplicate 编号": (
        setter("走访对象", 3, 0, "HQ-1"),
        ["走访对象 3 编号: 编号重复 “HQ-1”（与第 2 行相同）"],
    ),
    "duplicate name and address without 编号": (
        append("走访对象", ["", "吴国庆", "桃源村", "2组", "2组7号", "", "", 2, ""]),
        ["走访对象 6 地址: 户主姓名+地址重复 “吴国庆 2组7号”（与第 4 行相同；请填写编号区分）"],
    ),
    "duplicate unit name": (
        append("单位", ["虹桥村", "虹桥镇", "村"]),
        ["单位 6 单位名称: 单位名称重复 “虹桥村”（与第 4 行相同）"],
    ),
    "malformed target phone": (
        setter("走访对象", 2, 5, "1380000200"),
        [f"走访对象 2 联系电话: 电话号码格式不对 “1380000200”{PHONE_HINT}"],
    ),
    "malformed cadre phone": (
        setter("干部", 3, 4, "12800001002"),
        [f"干部 3 手机: 电话号码格式不对 “12800001002”{PHONE_HINT}"],
    ),
    "landline without area code": (
        setter("走访对象", 5, 5, "84000000"),
        [f"走访对象 5 联系电话: 电话号码格式不对 “84000000”{PHONE_HINT}"],
    ),
    "missing required cell": (
        setter("走访对象", 2, 1, ""),
        ["走访对象 2 户主姓名: 必填，不能为空"],
    ),
    "missing required cadre account": (
        setter("干部", 4, 1, "  "),
        ["干部 4 企业微信账号: 必填，不能为空"],
    ),
    "bad role": (
        setter("干部", 2, 3, "干事"),
        ["干部 2 角色: 角色不对 “干事”（只能是 走访干部、负责人、管理员）"],
    ),
    "bad unit type": (
        setter("单位", 3, 2, "办公室"),
        [f"单位 3 类型: 单位类型不对 “办公室”（只能是 {KINDS}）"],
    ),
    "missing sheet": (drop_sheet("干部"), ["干部: 缺少工作表"]),
    "missing header": (
        setter("走访对象", 1, 5, "电话"),
        ["走访对象 1 联系电话: 缺少表头 “联系电话”"],
    ),
    "repeated header": (
        setter("单位", 1, 1, "单位名称"),
        ["单位 1 上级单位: 缺少表头 “上级单位”", "单位 1 单位名称: 表头 “单位名称” 出现了不止一次"],
    ),
    "non-integer 家庭成员数": (
        both(setter("走访对象", 2, 7, "三"), setter("走访对象", 3, 7, 2.5)),
        [
            "走访对象 2 家庭成员数: 家庭成员数应为不小于 0 的整数 “三”",
            "走访对象 3 家庭成员数: 家庭成员数应为不小于 0 的整数 “2.5”",
        ],
    ),
    "家庭成员数 too large to store (a stuck key)": (
        setter("走访对象", 2, 7, 33333333333),
        ["走访对象 2 家庭成员数: 家庭成员数过大 “33333333333”（最多 999）"],
    ),
    "unit cycle": (
        setter("单位", 2, 1, "虹桥村"),
        [
            "单位 2 上级单位: 上级单位形成循环 “虹桥村”：虹桥镇 → 虹桥村 → 虹桥镇",
            "单位 4 上级单位: 上级单位形成循环 “虹桥镇”：虹桥村 → 虹桥镇 → 虹桥村",
        ],
    ),
    "unit is its own parent": (
        setter("单位", 5, 1, "桃源村"),
        ["单位 5 上级单位: 上级单位形成循环 “桃源村”：桃源村 → 桃源村"],
    ),
    "bad phase date": (
        setter("活动阶段", 2, 2, "12月16日"),
        ["活动阶段 2 截止日期: 日期格式不对 “12月16日”（例如 2026-12-01）"],
    ),
    "phase starts after its deadline": (
        setter("活动阶段", 3, 1, "2027-01-01"),
        ["活动阶段 3 开始日期: 开始日期 “2027-01-01” 晚于截止日期 “2026-12-30”"],
    ),
    "line break forging a group notice in a cadre's name": (
        setter("干部", 3, 0, "王\n【紧急通知】今晚8点全体到镇政府开会"),
        [
            "干部 3 姓名: 不能含有换行、控制字符或不可见字符（换行），请删去 "
            "“王\\n【紧急通知】今晚8点全体到镇政府开会”"
        ],
    ),
    "bidi override and zero-width space in a household head's name": (
        setter("走访对象", 3, 1, "周\u202e红\u200b梅"),
        [
            "走访对象 3 户主姓名: 不能含有换行、控制字符或不可见字符（U+202E、U+200B），"
            "请删去 “周\\u202e红\\u200b梅”"
        ],
    ),
    "tab in an address": (
        setter("走访对象", 2, 4, "1组\t3号"),
        ["走访对象 2 地址: 不能含有换行、控制字符或不可见字符（制表符），请删去 “1组\\t3号”"],
    ),
    "cell too long for the column": (
        setter("走访对象", 2, 3, "组" * 51),
        [f"走访对象 2 组网格: 内容过长（最多 50 个字）“{'组' * 51}”"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_row_is_reported_and_nothing_is_written(
    case, sheets, write_book, run_import, engine, request
):
    good = write_book(sheets, "good.xlsx")
    run_import(good)
    before = dump_tables(engine, skip=())
    edit, expected = CASES[case]
    edit(sheets)
    prepared = run_import(write_book(sheets, "bad.xlsx"))
    assert [str(p) for p in prepared.problems] == expected
    assert dump_tables(engine, skip=()) == before  # not even an audit row


def test_a_place_may_carry_a_sensitive_word_in_its_name(sheets, write_book, run_import):
    sheets["走访对象"][4][1] = "县信访接待中心"  # category 商铺 → a place, not a person
    assert run_import(write_book(sheets)).problems == ()


def test_bad_file_on_an_empty_database_writes_nothing(sheets, write_book, run_import, engine):
    before = dump_tables(engine, skip=())
    sheets["走访对象"][1][6] = "外星人"
    prepared = run_import(write_book(sheets))
    assert len(prepared.problems) == 1
    assert dump_tables(engine, skip=()) == before
    assert audit_entries(engine) == []


def test_every_problem_is_listed_in_sheet_order(sheets, write_book, run_import):
    for edit in (
        setter("走访对象", 5, 6, "饭店"),
        setter("干部", 3, 3, "组长"),
        setter("单位", 5, 2, "乡"),
        setter("走访对象", 2, 5, "123"),
        setter("走访对象", 4, 8, "王五"),
        setter("活动阶段", 3, 2, "明天"),
    ):
        edit(sheets)
    lines = [str(p) for p in run_import(write_book(sheets)).problems]
    assert [line.split(":")[0] for line in lines] == [
        "单位 5 类型",
        "干部 3 角色",
        "走访对象 2 联系电话",
        "走访对象 4 走访干部",
        "走访对象 5 类别",
        "活动阶段 3 截止日期",
    ]


def test_references_into_a_broken_sheet_are_not_echoed(sheets, write_book, run_import):
    sheets["单位"][0][2] = "级别"  # 类型 header misspelt: the units cannot be read
    lines = [str(p) for p in run_import(write_book(sheets)).problems]
    assert lines == ["单位 1 类型: 缺少表头 “类型”"]


def test_database_key_matching_two_households_is_ambiguous(
    sheets, write_book, run_import, sessions
):
    from storage.db import unit_of_work
    from storage.models import Target, Unit

    run_import(write_book(sheets))
    with unit_of_work(sessions) as s:
        unit = s.query(Unit).filter_by(name="桃源村").one()
        s.add(Target(head_name="吴国庆", unit_id=unit.id, address="2组7号", categories=[]))
    lines = [str(p) for p in run_import(write_book(sheets, "again.xlsx")).problems]
    assert lines == ["走访对象 4 地址: 数据库中有多户户主姓名+地址都是 “吴国庆 2组7号”，请填写编号"]


def _not_a_workbook(tmp_path):
    files = {
        "words.xlsx": b"this is not a spreadsheet\n",
        "empty.xlsx": b"",
        "picture.xlsx": bytes(range(256)) * 4,
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    with zipfile.ZipFile(tmp_path / "other.zip.xlsx", "w") as z:
        z.writestr("readme.txt", "a zip, but not a workbook")
    return [*files, "other.zip.xlsx"]


def test_a_file_that_is_not_a_workbook_gets_one_line(tmp_path, run_import, engine):
    before = dump_tables(engine, skip=())
    for name in _not_a_workbook(tmp_path):
        with pytest.raises(RosterFileError) as info:
            run_import(tmp_path / name)
        text = str(info.value)
        assert text.startswith(f"{name}: 不是有效的 Excel 工作簿") and "\n" not in text
    assert dump_tables(engine, skip=()) == before


def test_old_xls_and_unnamed_csv_are_refused_clearly(tmp_path, run_import):
    (tmp_path / "roster.xls").write_bytes(b"\xd0\xcf\x11\xe0old excel")
    with pytest.raises(RosterFileError, match="不支持旧版 .xls"):
        run_import(tmp_path / "roster.xls")
    (tmp_path / "名单.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(RosterFileError, match="无法确定 CSV 对应的工作表（“名单”）"):
        run_import(tmp_path / "名单.csv")


def test_two_rows_meaning_one_stored_household(sheets, write_book, run_import):
    run_import(write_book(sheets))  # 吴国庆 2组7号 is stored without 编号
    sheets["走访对象"].append(["TY-7", "吴国庆", "桃源村", "2组", "2组7号", "", "", 2, ""])
    lines = [str(p) for p in run_import(write_book(sheets, "twice.xlsx")).problems]
    assert lines == [
        "走访对象 6 编号: 与第 4 行指向数据库中的同一户（按编号或户主姓名+地址识别），请核对"
    ]
