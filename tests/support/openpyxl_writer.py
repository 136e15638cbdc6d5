"""The exports' writer as it was before it streamed rows (openpyxl, every cell in memory):
the reference the streaming writer (storage/exports/writer.py) is compared with, cell by
cell, in tests/storage/test_exports_writer.py.

Lay :class:`~storage.exports.base.Sheet` objects out in openpyxl and save them.

Title row merged across the table, note lines under it, bold bordered header rows
(frozen, repeated on every printed page), thin borders on the body, set column
widths, dates as ``yyyy-mm-dd``; then the sheet's own tail lines and the
填报单位 / 填报人 / 审核人 / 日期 line every table ends with. A4 portrait (a sheet
may ask for landscape), fitted to the page width, centred. Every cell is data, never a
formula, and text is on one line (:func:`storage.xlsx_cells.save_workbook`); body text
may be masked (personal numbers, :mod:`storage.masking`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from copy import copy
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

from storage.exports import labels
from storage.exports.base import Book, Merge, Row, Sheet, SignOff
from storage.xlsx_cells import Mask, cell_text, save_workbook

Progress = Callable[[Iterable[Row]], Iterable[Row]]

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center")
_TEXT = Alignment(horizontal="left", vertical="top", wrap_text=True)
_TAB_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class _Styles:
    """Cell styles by name, built once per workbook and copied (openpyxl hashes every
    style object it is given; a workbook of a thousand forms would spend minutes)."""

    def __init__(self) -> None:
        self._made: dict[tuple[str, tuple[int, ...]], Any] = {}

    def put(self, cell: Any, name: str, **attrs: Any) -> None:
        """Give ``cell`` the style ``name`` (``attrs`` over the style it has now)."""
        key = (name, tuple(cell._style) if cell._style is not None else ())
        made = self._made.get(key)
        if made is None:
            for attr, value in attrs.items():
                setattr(cell, attr, value)
            self._made[key] = copy(cell._style)
        else:
            cell._style = copy(made)


def header_row_index(sheet: Sheet) -> int:
    """1-based row of the first header row (after the title and the note lines)."""
    return 2 + len(sheet.notes)


def first_body_row(sheet: Sheet) -> int:
    return header_row_index(sheet) + len(sheet.header)


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
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    used: set[str] = set()
    count = 0
    # An empty book still prints: its title, a "nothing in this period" line, the sign-off.
    sheets = book.sheets or (Sheet(book.title, (labels.EMPTY_BOOK,), (), (60,), ()),)
    styles = _Styles()
    for sheet in sheets:
        ws = wb.create_sheet(_tab_name(sheet.name or sheet.title, used))
        count += _lay_out(ws, sheet, styles, progress if len(sheets) == 1 else None, mask)
        _sign(ws, sheet, signoff or SignOff())
        _page_setup(ws, sheet)
    save_workbook(wb, path)
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


def _lay_out(
    ws: Worksheet,
    sheet: Sheet,
    styles: _Styles,
    progress: Progress | None,
    mask: Mask | None = None,
) -> int:
    width = sheet.width
    title = ws.cell(row=1, column=1, value=sheet.title)
    styles.put(title, "title", font=Font(bold=True, size=16), alignment=_CENTER)
    _merge_range(ws, 1, 1, 1, width)
    ws.row_dimensions[1].height = 30
    for offset, note in enumerate(sheet.notes, start=2):
        ws.cell(row=offset, column=1, value=note)
        _merge_range(ws, offset, 1, offset, width)

    top = header_row_index(sheet)
    for r, header in enumerate(sheet.header):
        for c, value in enumerate(header, start=1):
            cell = ws.cell(row=top + r, column=c, value=value)
            styles.put(cell, "header", font=Font(bold=True), alignment=_CENTER, border=_BORDER)
    _merge(ws, sheet.header_merges, top, styles)

    body = first_body_row(sheet)
    rows: Iterable[Row] = sheet.rows if progress is None else progress(sheet.rows)
    count = 0
    for count, row in enumerate(rows, start=1):
        _put(ws, body + count - 1, row, sheet, styles, bold=False, mask=mask)
    for i, row in enumerate(sheet.totals):
        _put(ws, body + len(sheet.rows) + i, row, sheet, styles, bold=True, mask=mask)
    _merge(ws, sheet.merges, body, styles)
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


def _put(
    ws: Worksheet,
    at: int,
    row: Row,
    sheet: Sheet,
    styles: _Styles,
    *,
    bold: bool,
    mask: Mask | None = None,
) -> None:
    for c, value in enumerate(row, start=1):
        cell = ws.cell(row=at, column=c, value=cell_text(value, mask))
        dated = c - 1 in sheet.date_columns
        name = f"body{'-bold' if bold else ''}{'-date' if dated else ''}"
        attrs: dict[str, Any] = {"border": _BORDER, "alignment": _WRAP}
        if bold:
            attrs["font"] = Font(bold=True)
        if dated:
            attrs["number_format"] = "yyyy-mm-dd"
        styles.put(cell, name, **attrs)


def _merge(ws: Worksheet, merges: Iterable[Merge], origin: int, styles: _Styles) -> None:
    for m in merges:
        first_row, first_col = origin + m.first_row, m.first_col + 1
        _merge_range(ws, first_row, first_col, origin + m.last_row, m.last_col + 1)
        cell = ws.cell(row=first_row, column=first_col)
        if m.centred:
            styles.put(cell, "centred", alignment=_CENTER)
        else:
            styles.put(cell, "text", alignment=_TEXT)


def _merge_range(
    ws: Worksheet, first_row: int, first_col: int, last_row: int, last_col: int
) -> None:
    """Merge without openpyxl's per-cell border pass (the cells already have theirs)."""
    if first_row == last_row and first_col == last_col:
        return
    ref = CellRange(min_col=first_col, min_row=first_row, max_col=last_col, max_row=last_row)
    ws.merged_cells.add(MergedCellRange(ws, ref.coord))
