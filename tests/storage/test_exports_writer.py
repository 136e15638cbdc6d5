"""The streaming writer (XlsxWriter, rows to disk) makes the workbook the openpyxl writer
made: the same sheets, values, merges, fonts, borders, alignments, number formats,
quote prefixes, widths, heights, frozen panes, print titles and page setup — compared
cell by cell for every table, in three scopes, on a town with generated problems whose
texts carry phone and ID numbers, formula starts, line breaks and invisible marks."""

from __future__ import annotations

import random
import resource
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import select

from storage.exports import TABLES, signoff_for
from storage.exports.base import Book, Merge, Sheet, SignOff
from storage.exports.writer import write_book
from storage.masking import mask_numbers
from storage.models import Cadre, Problem, Target, Unit
from storage.vocab import (
    CATEGORIES_CHAIHUDIAN,
    CATEGORIES_CHANGZHOU,
    PROBLEM_KINDS,
    RESPONSIBILITY,
    SATISFACTION,
)
from tests.support.exports import request_for
from tests.support.forms import build_forms_town
from tests.support.openpyxl_writer import write_book as reference_write_book
from tests.support.workbook_diff import appearance, differences

TEXTS = (
    "路灯坏了三个月，晚上出行不便",
    '=HYPERLINK("http://evil.example/x","点我")',
    "+86 13812345678 请回电",
    "-1 户低保未落实",
    "@某某 反映宅基地纠纷",
    "身份证430621195801011234的老人\n低保\u202e问题\u200b待核实",
    "  =1+1 前面有空格",
    "家里漏水" * 40,
)


def _add_problems(session, campaign_id: int, seed: int = 7, count: int = 80) -> None:  # type: ignore[no-untyped-def]
    """``count`` problems over the town's households, every status and kind."""
    rng = random.Random(seed)
    targets = list(session.scalars(select(Target).order_by(Target.id)))
    cadres = list(session.scalars(select(Cadre).order_by(Cadre.id)))
    units = list(session.scalars(select(Unit).order_by(Unit.id)))
    start = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)
    for n in range(count):
        target = rng.choice(targets)
        status = rng.choice(("registered", "assigned", "solved", "explained", "followed_up"))
        created = start + timedelta(hours=rng.randrange(0, 24 * 14))
        closed = (
            created + timedelta(days=2)
            if status in ("solved", "explained", "followed_up")
            else None
        )
        assigned = status != "registered"
        session.add(
            Problem(
                target_id=target.id,
                found_by_id=rng.choice(cadres).id,
                unit_id=target.unit_id,
                text=f"{rng.choice(TEXTS)}（{n}）" if n % 3 else rng.choice(TEXTS),
                kind=rng.choice(PROBLEM_KINDS),
                category=rng.choice(CATEGORIES_CHANGZHOU),
                category_alt=rng.choice(CATEGORIES_CHAIHUDIAN),
                responsibility=rng.choice(list(RESPONSIBILITY)),
                status=status,
                assignee_unit_id=rng.choice(units).id if assigned else None,
                assigned_at=created + timedelta(hours=1) if assigned else None,
                deadline=created + timedelta(days=7) if assigned else None,
                closed_at=closed,
                closing_note=rng.choice(("", "已协调", "=SUM(A1)", "电话13900001111已告知")),
                followed_up_at=closed + timedelta(days=1) if status == "followed_up" else None,
                satisfaction=rng.choice(SATISFACTION) if status == "followed_up" else None,
                created_at=created,
            )
        )
    session.flush()


@pytest.fixture
def busy_town(sessions):  # type: ignore[no-untyped-def]
    with sessions() as s:
        forms = build_forms_town(s)
        campaign_id = forms.etown.town.campaign_id
        _add_problems(s, campaign_id)
        s.commit()
        return campaign_id


SCOPES = (
    {},
    {"unit": "东山村"},
    {"userid": "lisi"},
    {"since": datetime(2026, 11, 15, tzinfo=UTC), "until": datetime(2026, 11, 22, tzinfo=UTC)},
)


@pytest.mark.parametrize("key", sorted(TABLES))
def test_every_table_is_the_workbook_the_openpyxl_writer_made(session, busy_town, key, tmp_path):
    spec = TABLES[key]
    mask = None if spec.has_phone else mask_numbers
    for n, scope in enumerate(SCOPES):
        request = request_for(session, busy_town, **scope)
        built = spec.build(session, request)
        book = built if isinstance(built, Book) else Book(built.title, (built,), len(built.rows))
        old, new = tmp_path / f"old{n}.xlsx", tmp_path / f"new{n}.xlsx"
        signoff = signoff_for(request)
        written_old = reference_write_book(book, old, None, signoff, mask)
        written_new = write_book(book, new, None, signoff, mask)
        assert written_new == written_old
        assert differences(old, new) == [], (key, scope)
        assert appearance(new)[0]["cells"]  # something was compared


def test_merged_rows_heights_dates_and_formula_text_survive_streaming(tmp_path):
    """A body merge over three rows (written before the rows under it), row heights, a
    date in a plain column, a datetime, a totals row, a formula-like header and tail.
    (Widths and heights on Excel's pixel grid, as every table's: XlsxWriter rounds
    others to the pixel, e.g. a height of 40 to 39.75.)"""
    sheet = Sheet(
        title="=标题",
        notes=("说明\n一行", "+备注"),
        header=(("项目", "内容", "日期"),),
        widths=(8, 20, 12),
        rows=(
            ("甲", "=1+2", date(2026, 11, 3)),
            (None, 5, datetime(2026, 11, 4, 8, 30)),
            (None, 2.5, None),
            ("乙", "", "2026-11-05"),
        ),
        totals=(("合计", 7.5, ""),),
        merges=(Merge(0, 0, 2, 0), Merge(3, 1, 3, 2, centred=False)),
        header_merges=(),
        date_columns=frozenset({2}),
        row_heights=((1, 45.0), (4, 22.5)),
        tail=("-签字：", ""),
        landscape=True,
    )
    book = Book("t", (sheet, sheet), 2)
    signoff = SignOff(unit="@单位", filled_by="张三", day=date(2026, 11, 23))
    reference_write_book(book, tmp_path / "old.xlsx", None, signoff, mask_numbers)
    write_book(book, tmp_path / "new.xlsx", None, signoff, mask_numbers)
    assert differences(tmp_path / "old.xlsx", tmp_path / "new.xlsx") == []
    ws = openpyxl.load_workbook(tmp_path / "new.xlsx").worksheets[1]
    assert ws.title == "=标题(2)"
    assert "A5:A7" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["B5"].value == "=1+2" and ws["B5"].data_type == "s" and ws["B5"].quotePrefix
    assert ws["C5"].value == datetime(2026, 11, 3) and ws["C5"].number_format == "yyyy-mm-dd"
    assert ws.row_dimensions[6].height == 45.0


def test_tab_names_are_unique_ignoring_case_and_never_start_with_an_apostrophe(tmp_path):
    sheets = tuple(
        Sheet("表", (), (("a",),), (10,), (("x",),), name=name)
        for name in ("Li", "li", "'引号'", "a/b" * 20, "王" * 30 + "😀", "王" * 30 + "😀")
    )
    write_book(Book("t", sheets, 6), tmp_path / "names.xlsx")
    names = openpyxl.load_workbook(tmp_path / "names.xlsx").sheetnames
    # an emoji is two of Excel's 31 units: the name stops before it
    assert names == ["Li", "li(2)", "引号", ("a_b" * 20)[:31], "王" * 30, "王" * 28 + "(2)"]


def test_a_book_of_many_sheets_keeps_few_files_open(tmp_path):
    """A county's per-cadre book has thousands of sheets; each one's row file is closed
    once the sheet is written (else: "Too many open files" under a 1 024 limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    sheets = tuple(
        Sheet("表", (), (("序号", "内容"),), (6, 20), ((1, f"第{i}张"),), name=f"干部{i}")
        for i in range(400)
    )
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(soft, 256), hard))
    try:
        write_book(Book("t", sheets, 400), tmp_path / "many.xlsx")
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    wb = openpyxl.load_workbook(tmp_path / "many.xlsx", read_only=True)
    assert len(wb.sheetnames) == 400 and wb["干部399"]["B3"].value == "第399张"
