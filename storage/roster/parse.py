"""Turn each raw sheet into typed rows, collecting every cell-level problem.

Checks here need nothing but the file: headers, required cells, vocabularies
(角色, 类型, 类别), phone/date/number formats, lengths, duplicates within a sheet.
Cross-references (units, cadres, the database) are :mod:`storage.roster.refs`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from storage import vocab
from storage.roster import messages as msg
from storage.roster.cells import parse_count, parse_date, parse_phone
from storage.roster.reader import RawRow, RawSheet
from storage.roster.rows import CadreRow, PhaseRow, RowError, TargetRow, UnitRow
from storage.roster.sheets import SPECS
from storage.safe_text import unsafe_chars

# Column widths of storage.models, so an over-long cell is a problem, not a crash.
MAX_LENGTH = {
    "单位名称": 100,
    "上级单位": 100,
    "姓名": 50,
    "企业微信账号": 64,
    "单位": 100,
    "编号": 50,
    "户主姓名": 50,
    "所属村社区": 100,
    "组网格": 50,
    "地址": 200,
    "走访干部": 64,
    "阶段名称": 50,
}
# A name with a run this long looks like a phone or id number; names reach group chats.
NAME_DIGITS = re.compile(r"\d{5,}")
MAX_MEMBER_COUNT = 999  # a household; larger is a typo (and past the INTEGER column)

Row = TypeVar("Row")


class _Cells:
    """Read one raw row's cells, noting problems against its sheet/row/column."""

    def __init__(self, sheet: str, raw: RawRow, problems: list[RowError]) -> None:
        self.sheet = sheet
        self.raw = raw
        self.problems = problems

    def problem(self, column: str, reason: str) -> None:
        self.problems.append(RowError(self.sheet, self.raw.number, column, reason))

    def text(self, column: str) -> str:
        value = self.raw.cells.get(column, "")
        if not value and column in SPECS[self.sheet].required:
            self.problem(column, msg.REQUIRED)
        limit = MAX_LENGTH.get(column)
        if limit and len(value) > limit:
            self.problem(column, msg.too_long(value, limit))
        # Names and short fields end up inside chat lines and group messages: a line
        # break or a bidi override there would forge a line or reorder the text.
        bad = unsafe_chars(value) if limit else []
        if bad:
            self.problem(column, msg.unsafe_chars(value, bad))
        return value

    def name(self, column: str, person: bool = True) -> str:
        """A name: no phone-like digit run; a person's, no sensitive category word either
        (a place such as 县信访局 may carry one in its name)."""
        value = self.text(column)
        if NAME_DIGITS.search(value):
            self.problem(column, msg.name_has_digits(value))
        words = [w for w in vocab.SENSITIVE_STEMS if w in value] if person else []
        if words:
            self.problem(column, msg.name_has_sensitive_word(value, words[0]))
        return value

    def phone(self, column: str) -> str:
        value = self.text(column)
        phone = parse_phone(value)
        if phone is None:
            self.problem(column, msg.bad_phone(value))
            return ""
        return phone


def check_headers(sheet: RawSheet) -> list[RowError]:
    """Missing or repeated header cells in row 1 of ``sheet``."""
    problems = []
    spec = SPECS[sheet.name]
    for column in spec.headers:
        if column not in sheet.headers and column not in spec.optional_columns:
            problems.append(RowError(sheet.name, 1, column, msg.missing_header(column)))
    seen: set[str] = set()
    for column in sheet.headers:
        if column and column in seen:
            problems.append(RowError(sheet.name, 1, column, msg.duplicate_header(column)))
        seen.add(column)
    return problems


def _rows(
    sheet: RawSheet, parse_one: Callable[[_Cells], Row | None], problems: list[RowError]
) -> list[Row]:
    # Rows with problems are kept: their names still count as known to the
    # cross-reference checks, so one bad cell is reported once, not echoed.
    out = []
    for raw in sheet.rows:
        row = parse_one(_Cells(sheet.name, raw, problems))
        if row is not None:
            out.append(row)
    return out


def _unique(
    rows: list[Row],
    key: Callable[[Row], object],
    report: Callable[[Row, int], RowError],
    problems: list[RowError],
) -> None:
    first: dict[object, int] = {}
    for row in rows:
        k = key(row)
        if not k:
            continue
        if k in first:
            problems.append(report(row, first[k]))
        else:
            first[k] = row.row  # type: ignore[attr-defined]


def parse_units(sheet: RawSheet, problems: list[RowError]) -> list[UnitRow]:
    def one(c: _Cells) -> UnitRow:
        kind = c.text("类型")
        if kind and kind not in vocab.UNIT_KINDS:
            c.problem("类型", msg.bad_unit_kind(kind, vocab.UNIT_KINDS))
        return UnitRow(c.raw.number, c.text("单位名称"), c.text("上级单位") or None, kind)

    rows = _rows(sheet, one, problems)
    _unique(
        rows,
        lambda r: r.name,
        lambda r, first: RowError(
            sheet.name, r.row, "单位名称", msg.duplicate("单位名称", r.name, first)
        ),
        problems,
    )
    return rows


def parse_cadres(sheet: RawSheet, problems: list[RowError]) -> list[CadreRow]:
    labels = tuple(vocab.ROLES)

    def one(c: _Cells) -> CadreRow:
        role = c.text("角色")
        if role and role not in vocab.ROLES:
            c.problem("角色", msg.bad_role(role, labels))
        return CadreRow(
            c.raw.number,
            name=c.name("姓名"),
            userid=c.text("企业微信账号"),
            unit=c.text("单位"),
            role=vocab.ROLES.get(role, ""),
            phone=c.phone("手机"),
        )

    rows = _rows(sheet, one, problems)
    _unique(
        rows,
        lambda r: r.userid,
        lambda r, first: RowError(
            sheet.name, r.row, "企业微信账号", msg.duplicate("企业微信账号", r.userid, first)
        ),
        problems,
    )
    return rows


def parse_targets(sheet: RawSheet, problems: list[RowError]) -> list[TargetRow]:
    def one(c: _Cells) -> TargetRow:
        categories: list[str] = []
        written = c.text("类别")
        for category in vocab.split_categories(written):
            if category not in vocab.CATEGORIES:
                c.problem("类别", msg.unknown_category(category))
            elif category not in categories:
                categories.append(category)
        kind = _target_kind(c, categories)
        if kind != vocab.TARGET_HOUSEHOLD and not written:
            categories = []  # an empty 类别 means 一般农户 only for a household
        count_text = c.text("家庭成员数")
        count = parse_count(count_text) if count_text else None
        if count_text and count is None:
            c.problem("家庭成员数", msg.bad_member_count(count_text))
        elif count is not None and count > MAX_MEMBER_COUNT:
            c.problem("家庭成员数", msg.member_count_too_large(count_text, MAX_MEMBER_COUNT))
            count = None
        return TargetRow(
            c.raw.number,
            code=c.text("编号") or None,
            head_name=c.name("户主姓名", person=kind == vocab.TARGET_HOUSEHOLD),
            unit=c.text("所属村社区"),
            grid=c.text("组网格"),
            address=c.text("地址"),
            phone=c.phone("联系电话"),
            categories=tuple(categories),
            member_count=count,
            cadre_userid=c.text("走访干部") or None,  # resolved by refs
            kind=kind,
        )

    rows = _rows(sheet, one, problems)
    _unique(
        rows,
        lambda r: r.code,
        lambda r, first: RowError(
            sheet.name, r.row, "编号", msg.duplicate("编号", r.code or "", first)
        ),
        problems,
    )
    _unique(
        rows,
        lambda r: None if r.code or not r.head_name else r.key,
        lambda r, first: RowError(
            sheet.name, r.row, "地址", msg.duplicate_target_key(r.head_name, r.address, first)
        ),
        problems,
    )
    return rows


def _target_kind(c: _Cells, categories: list[str]) -> str:
    """The 类型 cell, else what the categories imply; a 类型 that contradicts a place
    category (户 for a 商铺) is a problem, not a guess."""
    implied = vocab.kind_of_categories(categories)
    written = c.text("类型").replace("(", "（").replace(")", "）").replace(" ", "")
    if not written:
        return implied
    kind = vocab.TARGET_KIND_WORDS.get(written)
    if kind is None:
        c.problem("类型", msg.bad_target_kind(written, tuple(vocab.TARGET_KIND_LABELS.values())))
        return implied
    places = [x for x in categories if x in vocab.PLACE_CATEGORIES]
    if places and kind != vocab.TARGET_PLACE:
        c.problem("类型", msg.kind_contradicts_category(written, places[0]))
    return kind


def parse_phases(sheet: RawSheet, problems: list[RowError]) -> list[PhaseRow]:
    def date_cell(c: _Cells, column: str):  # type: ignore[no-untyped-def]
        value = c.text(column)
        if not value:
            return None
        parsed = parse_date(value)
        if parsed is None:
            c.problem(column, msg.bad_date(value))
        return parsed

    def one(c: _Cells) -> PhaseRow | None:
        name = c.text("阶段名称")
        start = date_cell(c, "开始日期")
        deadline = date_cell(c, "截止日期")
        if start and deadline and start > deadline:
            c.problem("开始日期", msg.start_after_deadline(start.isoformat(), deadline.isoformat()))
        if deadline is None:
            return None
        return PhaseRow(c.raw.number, name, start, deadline)

    return _rows(sheet, one, problems)
