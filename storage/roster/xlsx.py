"""Read the cell values of an .xlsx workbook as openpyxl's read-only mode gives them, fast.

In: a path. Out: the worksheets in workbook order, each as its title and an iterator of
``(row number, values)``, the values a list by column (``None`` for an empty cell, no
trailing empty cells, rows without a value left out) equal to what openpyxl's
``iter_rows(values_only=True)`` with ``data_only=True`` returns: strings, ints and floats,
booleans, dates and times by the cell's number format, a formula's cached value.

The parser is calamine (Rust, ``python-calamine``): openpyxl's read-only mode parses with
the pure-Python XML parser under defusedxml and builds an object per cell, ~25 s of a 37 s
county import (100 000 rows). calamine hands numbers back as floats (made ints again when
whole and exact), whole-day dates as ``date`` (made ``datetime`` as openpyxl's), empty
cells as ``""``. What it cannot give, openpyxl (the reference) reads instead:

- an error cell (``#N/A`` from a failed VLOOKUP): calamine reads it as empty
  (python-calamine issue #105), so a workbook with one is read by openpyxl, which keeps
  the text and lets the row's check name it;
- a number of 2**53 or more: an integer written exactly by a program (an 18-digit ID)
  would come back rounded; such a sheet is read again by openpyxl.

Safety: a part that declares a DOCTYPE (the only way to declare entities: billion laughs,
external entities) is refused, as defusedxml refuses it. calamine itself never expands an
entity (its XML parser, quick-xml, fails on an undeclared one) and fetches nothing.
Any damage raises an exception; the caller turns it into one line for a person.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

Values = list[Any]

CHUNK = 1 << 20
EXACT = float(2**53)  # a float below this is an exact integer when whole
DOCTYPE = b"<!DOCTYPE"
ERROR_CELL = (b't="e"', b"t='e'")  # a <c> of type error (a false hit only costs speed)


class UnsafeXml(ValueError):
    """A part declares a DOCTYPE: refused, as defusedxml refuses entity declarations."""


class _Inexact(Exception):
    """A value calamine cannot hand back as openpyxl would."""


def _scan(path: Path) -> bool:
    """Refuse a DOCTYPE in any part; True when a part may hold an error cell."""
    errors = False
    keep = max(len(DOCTYPE), *map(len, ERROR_CELL)) - 1
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            with z.open(info) as f:
                tail = b""
                while chunk := f.read(CHUNK):
                    data = tail + chunk
                    if DOCTYPE in data:
                        raise UnsafeXml("DOCTYPE/entity declarations are not allowed in a workbook")
                    errors = errors or any(marker in data for marker in ERROR_CELL)
                    tail = data[-keep:]
    return errors


def _values(row: list[Any]) -> Values:
    """One calamine row as openpyxl's values, in place; raises :class:`_Inexact`."""
    for i, value in enumerate(row):
        kind = type(value)
        if kind is str:
            if not value:
                row[i] = None
        elif kind is float:
            if not -EXACT < value < EXACT:
                raise _Inexact(value)
            if value.is_integer():
                row[i] = int(value)
        elif kind is date:
            row[i] = datetime(value.year, value.month, value.day)
    while row and row[-1] is None:
        row.pop()
    return row


class Workbook:
    """An open .xlsx: ``sheets`` lists (title, key); ``rows(key)`` gives one sheet."""

    def __init__(self, path: str | Path) -> None:
        from python_calamine import CalamineWorkbook, SheetTypeEnum

        self._path = Path(path)
        self._reference: Any = None  # openpyxl's workbook, opened when needed
        errors = _scan(self._path)
        self._book = CalamineWorkbook.from_path(str(self._path))
        try:
            self._sheets = [
                (m.name, m.name)
                for m in self._book.sheets_metadata
                if m.typ == SheetTypeEnum.WorkSheet
            ]
            if errors:
                self._open_reference()
        except BaseException:
            self._book.close()
            raise

    @property
    def sheets(self) -> list[tuple[str, str]]:
        return list(self._sheets)

    def rows(self, key: str) -> Iterator[tuple[int, Values]]:
        """(row number, values by column) for each row holding a value, in order."""
        last = 0
        if self._reference is None:
            try:
                for number, values in self._calamine_rows(key):
                    yield number, values
                    last = number
                return
            except _Inexact:
                self._open_reference()
        # The same values up to ``last``: openpyxl goes on from there.
        for number, values in self._reference_rows(key):
            if number > last:
                yield number, values

    def _calamine_rows(self, key: str) -> Iterator[tuple[int, Values]]:
        sheet = self._book.get_sheet_by_name(key)
        start = sheet.start
        if start is None:
            return
        pad: Values = [None] * start[1]
        # ``iter_rows`` gives the rows from the first (empty ones above the used range
        # included), each from the range's first column: ``pad`` puts the columns back.
        for number, row in enumerate(sheet.iter_rows(), start=1):
            values = _values(row)
            if values:
                yield number, pad + values if pad else values

    def _open_reference(self) -> None:
        import openpyxl

        if self._reference is None:
            self._reference = openpyxl.load_workbook(self._path, read_only=True, data_only=True)

    def _reference_rows(self, key: str) -> Iterator[tuple[int, Values]]:
        ws = self._reference[key]
        ws.reset_dimensions()  # a sheet's <dimension> may be missing or wrong
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            values = list(row)
            while values and values[-1] is None:
                values.pop()
            if values:
                yield number, values

    def close(self) -> None:
        self._book.close()
        if self._reference is not None:
            self._reference.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
