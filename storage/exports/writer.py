"""Lay :class:`~storage.exports.base.Sheet` objects out as an .xlsx file, row by row.

Title row merged across the table, note lines under it, bold bordered header rows
(frozen, repeated on every printed page), thin borders on the body, set column
widths, dates as ``yyyy-mm-dd``; then the sheet's own tail lines and the
填报单位 / 填报人 / 审核人 / 日期 line every table ends with. A4 portrait (a sheet
may ask for landscape), fitted to the page width, centred. Every cell is data, never a
formula, and text is on one line (:func:`storage.xlsx_cells.cell_text`; a text a
spreadsheet could take for a formula gets Excel's quote prefix); body text may be
masked (personal numbers, :mod:`storage.masking`).

Written with XlsxWriter in ``constant_memory`` mode: each row goes to disk as soon as
the next one starts, with a handful of shared cell formats, so a county's list of
170 000 problems neither sits in memory as cell objects nor goes through openpyxl's
pure-Python XML serialiser (90 % of a county export's time before). The layout is
the one the openpyxl writer made (tests/support/openpyxl_writer.py; compared cell by
cell in tests/storage/test_exports_writer.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from storage.exports import labels
from storage.exports.base import Book, Merge, Row, Sheet, SignOff
from storage.safe_text import looks_like_formula, one_line
from storage.xlsx_cells import Mask

Progress = Callable[[Iterable[Row]], Iterable[Row]]

_TAB_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_DATE = "yyyy-mm-dd"
_DATETIME = "yyyy-mm-dd h:mm:ss"  # what openpyxl gives a datetime in a non-date column
# XlsxWriter adds Excel's 5-pixel padding to a width given in characters; openpyxl
# stored the width as given. Taking the padding off keeps the columns as they were.
_WIDTH_PADDING = 5 / 7
_A4 = 9
_CACHED_TEXT = 24  # texts up to this long are cleaned once per sheet (names, labels)

# Alignments by name (the openpyxl writer's _WRAP, _CENTER, _LEFT, _TEXT).
_ALIGN: dict[str, dict[str, Any]] = {
    "wrap": {"text_wrap": True, "valign": "vcenter"},
    "center": {"align": "center", "valign": "vcenter", "text_wrap": True},
    "left": {"align": "left", "valign": "vcenter"},
    "text": {"align": "left", "valign": "top", "text_wrap": True},
}


@dataclass(frozen=True)
class _Look:
    """What a cell looks like; each distinct look is one shared format of the book."""

    align: str = ""
    bold: bool = False
    size: int = 0
    border: bool = False
    number: str = ""
    quote: bool = False


_PLAIN = _Look()
_TITLE = _Look(align="center", bold=True, size=16)
_HEADER = _Look(align="center", bold=True, border=True)
_BODY = _Look(align="wrap", border=True)
_SIGN = _Look(align="left")


class _Formats:
    """One XlsxWriter format per look, made on first use."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self._book = book
        self._made: dict[_Look, Format | None] = {}
        self._sets: dict[_Look, _FormatSet] = {}

    def __call__(self, look: _Look) -> Format | None:
        if look in self._made:
            return self._made[look]
        props: dict[str, Any] = dict(_ALIGN.get(look.align, {}))
        if look.bold:
            props["bold"] = True
        if look.size:
            props["font_size"] = look.size
        if look.border:
            props["border"] = 1
        if look.number:
            props["num_format"] = look.number
        if look.quote:
            props["quote_prefix"] = True
        made = self._book.add_format(props) if props else None
        self._made[look] = made
        return made

    def set_of(self, look: _Look) -> _FormatSet:
        """The formats a cell of ``look`` takes by its value (text a spreadsheet could
        take for a formula gets the quote prefix; a date without a number format gets
        openpyxl's)."""
        found = self._sets.get(look)
        if found is None:
            found = _FormatSet(
                self(look),
                self(replace(look, quote=True)),
                self(replace(look, number=look.number or _DATE)),
                self(replace(look, number=look.number or _DATETIME)),
            )
            self._sets[look] = found
        return found


@dataclass(frozen=True)
class _FormatSet:
    plain: Format | None
    quoted: Format | None
    day: Format | None
    moment: Format | None


def header_row_index(sheet: Sheet) -> int:
    """1-based row of the first header row (after the title and the note lines)."""
    return 2 + len(sheet.notes)


def first_body_row(sheet: Sheet) -> int:
    return header_row_index(sheet) + len(sheet.header)


def end_row(sheet: Sheet) -> int:
    """1-based row of the last body or totals row."""
    return first_body_row(sheet) + len(sheet.rows) + len(sheet.totals) - 1


def write_book(
    book: Book,
    path: str | Path,
    progress: Progress | None = None,
    signoff: SignOff | None = None,
    mask: Mask | None = None,
) -> int:
    """Write every sheet of ``book`` (in order) to a new workbook; body rows written.

    ``mask`` (e.g. :func:`storage.masking.mask_numbers`) is applied to the text of the
    body and totals rows.
    """
    wb = _Workbook(str(path), {"constant_memory": True})
    try:
        formats = _Formats(wb)
        used: set[str] = set()
        count = 0
        # An empty book still prints: its title, a "nothing in this period" line, the sign-off.
        sheets = book.sheets or (Sheet(book.title, (labels.EMPTY_BOOK,), (), (60,), ()),)
        for sheet in sheets:
            ws = wb.add_worksheet(_tab_name(sheet.name or sheet.title, used))
            writer = _SheetWriter(ws, sheet, formats)
            count += writer.lay_out(progress if len(sheets) == 1 else None, mask)
            writer.sign(signoff or SignOff())
            _page_setup(ws, sheet)
            # A county's book has thousands of sheets: give back each one's row file
            # now (XlsxWriter reopens it when it assembles the workbook).
            ws._opt_close()
    finally:
        wb.close()
    return count


class _Workbook(xlsxwriter.Workbook):  # type: ignore[misc]
    def _check_sheetname(self, sheetname: str, is_chartsheet: bool = False) -> str:
        """The name as given: :func:`_tab_name` made it valid and unique ignoring case.
        XlsxWriter's own check compares each new name with every earlier sheet's
        (quadratic: seconds for a county's book of 3 000 cadres)."""
        return sheetname


def _tab_name(name: str, used: set[str]) -> str:
    """A unique worksheet name: at most 31 UTF-16 units, none of []:*?/\\, not starting
    or ending with an apostrophe, unique ignoring case (as Excel requires)."""
    base = _TAB_FORBIDDEN.sub("_", one_line(name)).strip().strip("'") or "Sheet"
    candidate, n = _cut(base, 31), 2
    while candidate.casefold() in used:
        suffix = f"({n})"
        candidate, n = _cut(base, 31 - len(suffix)) + suffix, n + 1
    used.add(candidate.casefold())
    return candidate


def _cut(text: str, units: int) -> str:
    """The longest start of ``text`` of at most ``units`` UTF-16 code units (Excel counts
    a character outside the BMP, e.g. an emoji, as two)."""
    out, used = [], 0
    for ch in text:
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > units:
            break
        out.append(ch)
    return "".join(out).rstrip("'") or "Sheet"


class _SheetWriter:
    """Writes one sheet top to bottom (XlsxWriter's constant_memory mode needs rows in order)."""

    def __init__(self, ws: Worksheet, sheet: Sheet, formats: _Formats) -> None:
        self.ws = ws
        self.sheet = sheet
        self.formats = formats
        self.width = sheet.width
        self._cleaned: dict[tuple[str, Mask | None], str] = {}

    def lay_out(self, progress: Progress | None, mask: Mask | None) -> int:
        ws, sheet, width = self.ws, self.sheet, self.width
        ws.set_row(0, 30)
        self._put(0, 0, sheet.title, _TITLE)
        self._merge(0, 0, 0, width - 1)
        for offset, note in enumerate(sheet.notes, start=1):
            self._put(offset, 0, note, _PLAIN)
            self._merge(offset, 0, offset, width - 1)

        top = header_row_index(sheet) - 1
        for r, header in enumerate(sheet.header):
            for c, value in enumerate(header):
                self._put(top + r, c, value, _HEADER)
            for m in sheet.header_merges:
                if m.first_row == r:
                    # its first cell is centred already (a header's look)
                    self._merge(top + r, m.first_col, top + m.last_row, m.last_col)

        body = first_body_row(sheet) - 1
        heights = dict(sheet.row_heights)
        merges = {(m.first_row, m.first_col): m for m in sheet.merges}
        plain = [self._body_look(c, bold=False) for c in range(width)]
        bold = [self._body_look(c, bold=True) for c in range(width)]
        self._extra = {False: replace(_BODY), True: replace(_BODY, bold=True)}
        set_of = self.formats.set_of
        self._sets = {
            False: [set_of(look) for look in plain] + [set_of(self._extra[False])],
            True: [set_of(look) for look in bold] + [set_of(self._extra[True])],
        }
        rows: Iterable[Row] = sheet.rows if progress is None else progress(sheet.rows)
        count = 0
        for count, row in enumerate(rows, start=1):
            self._body_row(body, count - 1, row, plain, heights, merges, mask)
        for i, row in enumerate(sheet.totals):
            self._body_row(body, len(sheet.rows) + i, row, bold, heights, merges, mask)

        for c, w in enumerate(sheet.widths):
            ws.set_column(c, c, w - _WIDTH_PADDING if w >= 1 else w)
        if sheet.header:
            ws.freeze_panes(body, 0)
            ws.repeat_rows(top, body - 1)
        return count

    def sign(self, signoff: SignOff) -> None:
        """The sheet's tail lines, a blank row, then the 填报单位 … 日期 line."""
        at = end_row(self.sheet)  # 0-based: the row after the last body or totals row
        lines = [
            *self.sheet.tail,
            "",
            labels.signoff_line(
                signoff.unit, signoff.filled_by, signoff.reviewer, labels.date_words(signoff.day)
            ),
        ]
        for line in lines:
            if line:
                self._put(at, 0, line, _SIGN)
                self._merge(at, 0, at, self.width - 1)
            at += 1

    def _body_look(self, column: int, *, bold: bool) -> _Look:
        dated = column in self.sheet.date_columns
        return replace(_BODY, bold=bold, number=_DATE if dated else "")

    def _body_row(
        self,
        body: int,
        index: int,
        row: Row,
        looks: list[_Look],
        heights: dict[int, float],
        merges: dict[tuple[int, int], Merge],
        mask: Mask | None,
    ) -> None:
        at = body + index
        if index in heights:
            self.ws.set_row(at, heights[index])
        if not merges:  # a list: the column's formats, looked up once per sheet
            sets = self._sets[looks[0].bold]
            write = self._write
            for c, value in enumerate(row):
                write(at, c, value, sets[c] if c < len(sets) else sets[-1], mask)
            return
        set_of = self.formats.set_of
        for c, value in enumerate(row):
            look = looks[c] if c < len(looks) else self._extra[looks[0].bold]
            m = merges.get((index, c))
            if m is not None:
                look = replace(look, align="center" if m.centred else "text")
            self._write(at, c, value, set_of(look), mask)
        for m in merges.values():
            if m.first_row == index:
                self._merge(at, m.first_col, body + m.last_row, m.last_col)

    def _put(self, row: int, col: int, value: Any, look: _Look) -> None:
        self._write(row, col, value, self.formats.set_of(look), None)

    def _write(
        self, row: int, col: int, value: Any, formats: _FormatSet, mask: Mask | None
    ) -> None:
        """Write ``value`` as data: text on one line (then masked), never a formula."""
        ws = self.ws
        if isinstance(value, str):
            text = self._clean(value, mask)
            if not text:
                ws.write_blank(row, col, None, formats.plain)
            elif looks_like_formula(text):
                ws.write_string(row, col, text, formats.quoted)
            else:
                ws.write_string(row, col, text, formats.plain)
        elif value is None:
            ws.write_blank(row, col, None, formats.plain)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, formats.plain)
        elif isinstance(value, int | float):
            ws.write_number(row, col, value, formats.plain)
        elif isinstance(value, datetime):
            ws.write_datetime(row, col, value, formats.moment)
        elif isinstance(value, date):
            ws.write_datetime(row, col, value, formats.day)
        else:
            self._write(row, col, str(value), formats, mask)

    def _clean(self, value: str, mask: Mask | None) -> str:
        """``value`` on one line, then masked. Short texts (names, units, labels) repeat
        down a county's list: they are cleaned once each."""
        if len(value) > _CACHED_TEXT:
            text = one_line(value)
            return mask(text) if mask is not None else text
        key = (value, mask)
        found = self._cleaned.get(key)
        if found is None:
            text = one_line(value)
            found = mask(text) if mask is not None else text
            self._cleaned[key] = found
        return found

    def _merge(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        """Mark a merged block over cells already written (or about to be, further down).

        ``Worksheet.merge_range`` would also write the block's cells, which in
        constant_memory mode drops every row it runs past; the ranges are kept in
        ``Worksheet.merge`` and written out with the sheet.
        """
        if first_row == last_row and first_col == last_col:
            return
        self.ws.merge.append([first_row, first_col, last_row, last_col])


def _page_setup(ws: Worksheet, sheet: Sheet) -> None:
    if sheet.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(_A4)
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    # openpyxl's margins (in inches), the left and right narrowed to 0.5.
    ws.set_margins(left=0.5, right=0.5, top=1, bottom=1)
    ws.set_header("", {"margin": 0.5})
    ws.set_footer("", {"margin": 0.5})
