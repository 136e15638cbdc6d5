"""Lay :class:`~storage.exports.base.Sheet` objects out in openpyxl and save them.

Title row merged across the table, note lines under it, bold bordered header rows
(frozen, repeated on every printed page), thin borders on the body, set column
widths, dates as ``yyyy-mm-dd``; then the sheet's own tail lines and the
填报单位 / 填报人 / 审核人 / 日期 line every table ends with. A4 portrait (a sheet
may ask for landscape), fitted to the page width, centred.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from storage.exports import labels
from storage.exports.base import Book, Merge, Row, Sheet, SignOff

Progress = Callable[[Iterable[Row]], Iterable[Row]]

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center")
_TAB_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def header_row_index(sheet: Sheet) -> int:
    """1-based row of the first header row (after the title and the note lines)."""
    return 2 + len(sheet.notes)


def first_body_row(sheet: Sheet) -> int:
    return header_row_index(sheet) + len(sheet.header)


def write_sheet(
    sheet: Sheet,
    path: str | Path,
    progress: Progress | None = None,
    signoff: SignOff | None = None,
) -> int:
    """Write ``sheet`` as the only worksheet of a new workbook at ``path``; rows written."""
    return write_book(Book(sheet.title, (sheet,), len(sheet.rows)), path, progress, signoff)


def write_book(
    book: Book,
    path: str | Path,
    progress: Progress | None = None,
    signoff: SignOff | None = None,
) -> int:
    """Write every sheet of ``book`` (in order) to a new workbook; body rows written."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    used: set[str] = set()
    count = 0
    # An empty book still prints: its title, a "nothing in this period" line, the sign-off.
    sheets = book.sheets or (Sheet(book.title, (labels.EMPTY_BOOK,), (), (60,), ()),)
    for sheet in sheets:
        ws = wb.create_sheet(_tab_name(sheet.name or sheet.title, used))
        count += _lay_out(ws, sheet, progress if len(sheets) == 1 else None)
        _sign(ws, sheet, signoff or SignOff())
        _page_setup(ws, sheet)
    wb.save(path)
    return count


def _tab_name(name: str, used: set[str]) -> str:
    """A unique worksheet name: at most 31 characters, none of []:*?/\\."""
    base = _TAB_FORBIDDEN.sub("_", name).strip() or "Sheet"
    candidate, n = base[:31], 2
    while candidate in used:
        suffix = f"({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate


def _lay_out(ws: Worksheet, sheet: Sheet, progress: Progress | None) -> int:
    width = sheet.width
    ws.cell(row=1, column=1, value=sheet.title).font = Font(bold=True, size=16)
    ws.cell(row=1, column=1).alignment = _CENTER
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 30
    for offset, note in enumerate(sheet.notes, start=2):
        ws.cell(row=offset, column=1, value=note)
        ws.merge_cells(start_row=offset, start_column=1, end_row=offset, end_column=width)

    top = header_row_index(sheet)
    for r, header in enumerate(sheet.header):
        for c, value in enumerate(header, start=1):
            cell = ws.cell(row=top + r, column=c, value=value)
            cell.font, cell.alignment, cell.border = Font(bold=True), _CENTER, _BORDER
    _merge(ws, sheet.header_merges, top)

    body = first_body_row(sheet)
    rows: Iterable[Row] = sheet.rows if progress is None else progress(sheet.rows)
    count = 0
    for count, row in enumerate(rows, start=1):
        _put(ws, body + count - 1, row, sheet, bold=False)
    for i, row in enumerate(sheet.totals):
        _put(ws, body + len(sheet.rows) + i, row, sheet, bold=True)
    _merge(ws, sheet.merges, body)
    for r, height in sheet.row_heights:
        ws.row_dimensions[body + r].height = height

    for c, w in enumerate(sheet.widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    if sheet.header:
        ws.freeze_panes = ws.cell(row=body, column=1)
        ws.print_title_rows = f"{top}:{body - 1}"
    return count


def end_row(sheet: Sheet) -> int:
    """1-based row of the last body or totals row."""
    return first_body_row(sheet) + len(sheet.rows) + len(sheet.totals) - 1


def _sign(ws: Worksheet, sheet: Sheet, signoff: SignOff) -> None:
    """The sheet's tail lines, a blank row, then the 填报单位 … 日期 line."""
    at = end_row(sheet) + 1
    lines = [
        *sheet.tail,
        "",
        labels.signoff_line(
            signoff.unit, signoff.filled_by, signoff.reviewer, labels.date_words(signoff.day)
        ),
    ]
    for line in lines:
        if line:
            ws.cell(row=at, column=1, value=line).alignment = _LEFT
            ws.merge_cells(start_row=at, start_column=1, end_row=at, end_column=sheet.width)
        at += 1


def _page_setup(ws: Worksheet, sheet: Sheet) -> None:
    ws.page_setup.orientation = "landscape" if sheet.landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5


def _put(ws: Worksheet, at: int, row: Row, sheet: Sheet, *, bold: bool) -> None:
    for c, value in enumerate(row, start=1):
        cell = ws.cell(row=at, column=c, value=value)
        cell.border, cell.alignment = _BORDER, _WRAP
        if bold:
            cell.font = Font(bold=True)
        if c - 1 in sheet.date_columns:
            cell.number_format = "yyyy-mm-dd"


def _merge(ws: Worksheet, merges: Iterable[Merge], origin: int) -> None:
    for m in merges:
        ws.merge_cells(
            start_row=origin + m.first_row,
            start_column=m.first_col + 1,
            end_row=origin + m.last_row,
            end_column=m.last_col + 1,
        )
        ws.cell(row=origin + m.first_row, column=m.first_col + 1).alignment = _CENTER
