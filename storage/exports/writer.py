"""Lay a :class:`~storage.exports.base.Sheet` out in openpyxl and save it.

Title row merged across the table, note lines under it, bold bordered header rows
(frozen, repeated on every printed page), thin borders on the body, set column
widths, dates as ``yyyy-mm-dd``, A4 landscape fitted to the page width. Every cell
goes through :func:`storage.xlsx_cells.put`: text on one line, never a formula.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from storage.exports.base import Merge, Row, Sheet
from storage.xlsx_cells import Mask, put

Progress = Callable[[Iterable[Row]], Iterable[Row]]

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def header_row_index(sheet: Sheet) -> int:
    """1-based row of the first header row (after the title and the note lines)."""
    return 2 + len(sheet.notes)


def first_body_row(sheet: Sheet) -> int:
    return header_row_index(sheet) + len(sheet.header)


def write_sheet(
    sheet: Sheet, path: str | Path, progress: Progress | None = None, mask: Mask | None = None
) -> int:
    """Write ``sheet`` as the only worksheet of a new workbook at ``path``; rows written.

    ``mask`` (e.g. :func:`storage.masking.mask_numbers`) is applied to the text of
    the body and totals rows.
    """
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet.title[:31]
    width = sheet.width
    put(ws, 1, 1, sheet.title).font = Font(bold=True, size=16)
    ws.cell(row=1, column=1).alignment = _CENTER
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 30
    for offset, note in enumerate(sheet.notes, start=2):
        put(ws, offset, 1, note)
        ws.merge_cells(start_row=offset, start_column=1, end_row=offset, end_column=width)

    top = header_row_index(sheet)
    for r, header in enumerate(sheet.header):
        for c, value in enumerate(header, start=1):
            cell = put(ws, top + r, c, value)
            cell.font, cell.alignment, cell.border = Font(bold=True), _CENTER, _BORDER
    _merge(ws, sheet.header_merges, top)

    body = first_body_row(sheet)
    rows: Iterable[Row] = sheet.rows if progress is None else progress(sheet.rows)
    count = 0
    for count, row in enumerate(rows, start=1):
        _put(ws, body + count - 1, row, sheet, bold=False, mask=mask)
    for i, row in enumerate(sheet.totals):
        _put(ws, body + len(sheet.rows) + i, row, sheet, bold=True, mask=mask)
    _merge(ws, sheet.merges, body)

    for c, w in enumerate(sheet.widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    ws.freeze_panes = ws.cell(row=body, column=1)
    ws.print_title_rows = f"{top}:{body - 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    wb.save(path)
    return count


def _put(ws: Worksheet, at: int, row: Row, sheet: Sheet, *, bold: bool, mask: Mask | None) -> None:
    for c, value in enumerate(row, start=1):
        cell = put(ws, at, c, value, mask)
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
