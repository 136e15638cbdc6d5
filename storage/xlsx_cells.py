"""Every text cell the project writes to a workbook passes here.

openpyxl stores a string that starts with ``=`` as a formula: a household named
``=cmd|"/C calc"!A0`` or an answer ``=HYPERLINK(…)`` would become a live formula in
an export. Here each text is put on one line (no line breaks, bidi overrides or
zero-width characters, see :mod:`storage.safe_text`) and, when a spreadsheet could
read it as a formula (OWASP: ``= + - @`` tab CR), stored as a string cell with
Excel's quote prefix — the text shows unchanged and stays text when edited.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from storage.safe_text import looks_like_formula, one_line

Mask = Callable[[str], str]


def cell_text(value: Any, mask: Mask | None = None) -> Any:
    """The value as it may be written: strings on one line (then ``mask``ed), the rest as is."""
    if not isinstance(value, str):
        return value
    text = one_line(value)
    return mask(text) if mask is not None else text


def guard_sheet(ws: Worksheet, first_row: int = 1) -> None:
    """Clean every text cell from ``first_row`` down (for sheets filled by ``ws.append``)."""
    for row in ws.iter_rows(min_row=first_row):
        for cell in row:
            if isinstance(cell.value, str):
                cell.value = cell_text(cell.value)
                _as_text(cell)


def _as_text(cell: Any) -> None:
    if isinstance(cell.value, str) and (cell.data_type == "f" or looks_like_formula(cell.value)):
        cell.data_type = "s"
        cell.quotePrefix = True


def save_workbook(wb: Workbook, path: str | Path) -> None:
    """Guard every sheet of ``wb`` (see :func:`guard_sheet`) and save it to ``path``."""
    for ws in wb.worksheets:
        guard_sheet(ws)
    wb.save(path)
