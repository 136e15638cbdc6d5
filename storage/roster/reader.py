"""Read a roster file into plain text cells: an .xlsx workbook or one sheet as .csv.

In: a path (and, for CSV, the sheet name: ``sheet=`` or else the file's stem, so
``走访对象.csv`` is the 走访对象 sheet). Out: a :class:`RawWorkbook` whose cells
are stripped strings ("" for empty), with the spreadsheet's own row numbers.
A file that cannot be read as a workbook raises :class:`RosterFileError` with one
line meant for a person.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from storage.roster import messages as msg
from storage.roster import xlsx
from storage.roster.sheets import SPECS

TICK_ROWS = 500


class RosterFileError(Exception):
    """The file is not a readable workbook; the message is one line for a person."""


@dataclass(frozen=True)
class RawRow:
    number: int  # the row number the administrator sees in Excel (header is row 1)
    cells: dict[str, str]


@dataclass(frozen=True)
class RawSheet:
    name: str
    headers: tuple[str, ...]
    rows: tuple[RawRow, ...]


@dataclass(frozen=True)
class RawWorkbook:
    sheets: dict[str, RawSheet]
    complete: bool  # a whole workbook (every required sheet expected) vs one CSV sheet


def read_roster(
    path: str | Path, sheet: str | None = None, progress: Callable[[int], None] | None = None
) -> RawWorkbook:
    """Read ``path`` (.xlsx/.xlsm, or .csv holding one sheet); see the module docstring.

    ``progress(n)`` is told every time another ``n`` rows have been read.
    """
    tick = progress or (lambda n: None)
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        name = sheet or p.stem
        if name not in SPECS:
            raise RosterFileError(msg.csv_sheet_unknown(p.name, name, tuple(SPECS)))
        return RawWorkbook({name: _read_csv(p, name, tick)}, complete=False)
    if suffix == ".xls":
        raise RosterFileError(msg.old_xls(p.name))
    return _read_xlsx(p, tick)


def _read_xlsx(path: Path, tick: Callable[[int], None]) -> RawWorkbook:
    try:
        book = xlsx.Workbook(path)
    except Exception as exc:  # BadZipFile, UnsafeXml, calamine: no workbook part, XML errors…
        raise RosterFileError(msg.not_a_workbook(path.name, type(exc).__name__)) from None
    try:
        sheets = {}
        for title, part in book.sheets:
            title = title.strip()
            if title in SPECS:
                sheets[title] = _to_sheet(title, book.rows(part), tick)
    except Exception as exc:  # a damaged sheet inside a valid zip
        raise RosterFileError(msg.not_a_workbook(path.name, type(exc).__name__)) from None
    finally:
        book.close()
    return RawWorkbook(sheets, complete=True)


def _read_csv(path: Path, name: str, tick: Callable[[int], None]) -> RawSheet:
    data = path.read_bytes()
    if b"\x00" in data:
        raise RosterFileError(msg.not_a_csv(path.name))
    # Excel on Chinese Windows saves CSV as GBK; everything else is UTF-8 (maybe with BOM).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise RosterFileError(msg.not_a_csv(path.name))
    return _to_sheet(name, enumerate(csv.reader(io.StringIO(text, newline="")), start=1), tick)


def _to_sheet(
    name: str, rows: Iterable[tuple[int, Sequence[Any]]], tick: Callable[[int], None]
) -> RawSheet:
    """``rows``: (the row number a person sees, the row's values); row 1 is the header."""
    headers: tuple[str, ...] = ()
    out: list[RawRow] = []
    # One string object per distinct cell text: a county's 100 000 rows repeat their
    # villages, grids, categories and cadres, and the sheet is held whole until checked.
    same: dict[str, str] = {}
    for seen, (number, values) in enumerate(rows, start=1):
        if seen % TICK_ROWS == 0:
            tick(TICK_ROWS)
        cells = [same.setdefault(text, text) for text in map(cell_text, values)]
        if number == 1:
            headers = tuple(cells)
            while headers and not headers[-1]:
                headers = headers[:-1]
            continue
        if not any(cells):
            continue
        out.append(
            RawRow(
                number,
                {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers) if h},
            )
        )
    return RawSheet(name, headers, tuple(out))


def cell_text(value: Any) -> str:
    """One cell as the text a person would read: 13800001234.0 -> "13800001234"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()
