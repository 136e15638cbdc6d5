"""Stream the cell values of an .xlsx workbook: what openpyxl's read-only mode gives, faster.

In: a path. Out: the worksheets in workbook order, each as its title and an iterator of
``(row number, values)``, the values a list by column (``None`` for an empty cell) as
openpyxl's ``iter_rows(values_only=True)`` with ``data_only=True`` returns them: shared and
inline strings, ints and floats, booleans, dates by the cell's number format
(openpyxl's own ``is_date_format`` / ``from_excel``), a formula's cached value.

Why not openpyxl: with defusedxml installed it parses with the pure-Python XML parser
and builds an object per cell; a county's roster (100 000 rows) took ~25 s of a 37 s
import to read, and a sheet without a ``<dimension>`` (openpyxl's own write-only
output) was parsed twice. Here expat (C) calls a small state machine per element.

Safety, as defusedxml's: a part that declares a DOCTYPE (the only way to declare
entities: billion laughs, external entities) is refused; nothing is fetched.
Any damage raises an exception; the caller turns it into one line for a person.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

CHUNK = 1 << 20
Values = list[Any]


class UnsafeXml(ValueError):
    """A part declares a DOCTYPE: refused, as defusedxml refuses entity declarations."""


def _refuse(*_args: Any) -> Any:
    raise UnsafeXml("DOCTYPE/entity declarations are not allowed in a workbook")


def _local(name: str) -> str:
    return name[name.rfind("}") + 1 :]


def _feed(
    source: IO[bytes],
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Parse ``source`` chunk by chunk, yielding after each chunk (so rows can stream)."""
    p = expat.ParserCreate(namespace_separator="}")
    p.buffer_text = True
    p.StartDoctypeDeclHandler = _refuse
    p.EntityDeclHandler = _refuse
    p.ExternalEntityRefHandler = _refuse
    p.StartElementHandler = start
    if end is not None:
        p.EndElementHandler = end
    if text is not None:
        p.CharacterDataHandler = text
    while chunk := source.read(CHUNK):
        p.Parse(chunk, False)
        yield
    p.Parse(b"", True)
    yield


def _parse(source: IO[bytes], start: Callable[[str, dict[str, str]], None]) -> None:
    for _ in _feed(source, start):
        pass


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """{relationship id: (type, target path in the zip)} of ``part``."""
    folder = posixpath.dirname(part)
    path = posixpath.join(folder, "_rels", posixpath.basename(part) + ".rels")
    found: dict[str, tuple[str, str]] = {}
    if path not in z.NameToInfo:
        return found

    def start(name: str, attrs: dict[str, str]) -> None:
        if _local(name) != "Relationship" or attrs.get("TargetMode") == "External":
            return
        target = attrs.get("Target", "")
        if target.startswith("/"):
            target = target[1:]
        else:
            target = posixpath.normpath(posixpath.join(folder, target))
        found[attrs.get("Id", "")] = (attrs.get("Type", ""), target)

    with z.open(path) as f:
        _parse(f, start)
    return found


@dataclass
class _Book:
    sheets: list[tuple[str, str]]  # (title, part) of each worksheet, in order
    strings: list[str]
    date_styles: set[int]
    timedelta_styles: set[int]
    date1904: bool


def _workbook(z: zipfile.ZipFile) -> _Book:
    main = "xl/workbook.xml"
    for kind, target in _rels(z, "").values():
        if kind.endswith("/officeDocument"):
            main = target
    rels = _rels(z, main)
    sheets: list[tuple[str, str]] = []
    date1904 = [False]

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "workbookPr":
            date1904[0] = attrs.get("date1904", "").lower() in ("1", "true")
        elif local == "sheet":
            rid = next((v for k, v in attrs.items() if "}" in k and _local(k) == "id"), "")
            kind, target = rels.get(rid, ("", ""))
            if kind.endswith("/worksheet") and target in z.NameToInfo:
                sheets.append((attrs.get("name", ""), target))

    with z.open(main) as f:
        _parse(f, start)
    by_kind = {kind.rpartition("/")[2]: target for kind, target in rels.values()}
    strings_part = by_kind.get("sharedStrings", "xl/sharedStrings.xml")
    strings = _shared_strings(z, strings_part) if strings_part in z.NameToInfo else []
    styles_part = by_kind.get("styles", "xl/styles.xml")
    dates, durations = (
        _date_styles(z, styles_part) if styles_part in z.NameToInfo else (set(), set())
    )
    return _Book(sheets, strings, dates, durations, date1904[0])


class _Text:
    """The text of an ``<si>`` / ``<is>``: its ``<t>`` and rich runs, never ``<rPh>``
    (phonetic guides), as openpyxl's ``Text.content``."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.active = False  # inside a <t> that counts
        self.phonetic = 0

    def start(self, local: str) -> None:
        if local == "t" and not self.phonetic:
            self.active = True
        elif local == "rPh":
            self.phonetic += 1

    def end(self, local: str) -> None:
        if local == "t":
            self.active = False
        elif local == "rPh":
            self.phonetic -= 1

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


def _shared_strings(z: zipfile.ZipFile, part: str) -> list[str]:
    strings: list[str] = []
    text = _Text()

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "si":
            text.parts.clear()
        else:
            text.start(local)

    def end(name: str) -> None:
        local = _local(name)
        if local == "si":
            strings.append(text.take().replace("x005F_", ""))  # as openpyxl
        else:
            text.end(local)

    def chars(data: str) -> None:
        if text.active:
            text.parts.append(data)

    with z.open(part) as f:
        for _ in _feed(f, start, end, chars):
            pass
    return strings


def _date_styles(z: zipfile.ZipFile, part: str) -> tuple[set[int], set[int]]:
    """Indexes of ``cellXfs`` whose number format is a date / a duration (openpyxl's test)."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    custom: dict[int, str] = {}
    formats: list[int] = []
    where: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "numFmt":
            custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
        elif local == "xf" and where and where[-1] == "cellXfs":
            formats.append(int(attrs.get("numFmtId", "0")))
        elif local == "cellXfs":
            where.append(local)

    def end(name: str) -> None:
        if _local(name) == "cellXfs" and where:
            where.pop()

    with z.open(part) as f:
        for _ in _feed(f, start, end):
            pass
    dates: set[int] = set()
    durations: set[int] = set()
    for index, fmt_id in enumerate(formats):
        fmt = custom[fmt_id] if fmt_id in custom else BUILTIN_FORMATS.get(fmt_id)
        if is_date_format(fmt):
            dates.add(index)
        if is_timedelta_format(fmt):
            durations.add(index)
    return dates, durations


class _Sheet:
    """Expat handlers for one worksheet part: rows collect in ``done`` as they close."""

    def __init__(self, book: _Book) -> None:
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

        self.book = book
        self.epoch = CALENDAR_MAC_1904 if book.date1904 else CALENDAR_WINDOWS_1900
        self.done: list[tuple[int, Values]] = []
        self.names: dict[str, str] = {}
        self.columns: dict[str, int] = {}
        self.row = 0
        self.col = 0
        self.cells: list[tuple[int, Any]] = []
        self.type = "n"
        self.style = 0
        self.v: str | None = None
        self.in_v = False
        self.v_parts: list[str] = []
        self.inline: _Text | None = None
        self.in_inline = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = self.names.get(name) or self.names.setdefault(name, _local(name))
        if local == "c":
            coordinate = attrs.get("r")
            self.col = self._column(coordinate) if coordinate else self.col + 1
            self.type = attrs.get("t", "n")
            style = attrs.get("s")
            self.style = int(style) if style else 0
            self.v = None
            self.inline = None
        elif local == "v":
            self.in_v = True
            self.v_parts.clear()
        elif local == "is":
            self.inline = _Text()
            self.in_inline = True
        elif self.in_inline:
            assert self.inline is not None
            self.inline.start(local)
        elif local == "row":
            number = attrs.get("r")
            self.row = _row_number(number) if number else self.row + 1
            self.col = 0
            self.cells = []

    def end(self, name: str) -> None:
        local = self.names.get(name) or self.names.setdefault(name, _local(name))
        if local == "c":
            self.cells.append((self.col, self._value()))
        elif local == "v":
            self.in_v = False
            self.v = "".join(self.v_parts)
        elif local == "is":
            self.in_inline = False
        elif self.in_inline:
            assert self.inline is not None
            self.inline.end(local)
        elif local == "row":
            values: Values = []
            if self.cells:
                width = self.cells[-1][0]  # as openpyxl: the last cell sets the width
                values = [None] * width
                for col, value in self.cells:
                    if 1 <= col <= width:
                        values[col - 1] = value
            self.done.append((self.row, values))

    def chars(self, data: str) -> None:
        if self.in_v:
            self.v_parts.append(data)
        elif self.in_inline and self.inline is not None and self.inline.active:
            self.inline.parts.append(data)

    def _column(self, coordinate: str) -> int:
        letters = coordinate.rstrip("0123456789")
        col = self.columns.get(letters)
        if col is None:
            col = 0
            for ch in letters.upper():
                if not "A" <= ch <= "Z":
                    raise ValueError(f"bad cell reference {coordinate!r}")
                col = col * 26 + ord(ch) - 64
            self.columns[letters] = col
        return col

    def _value(self) -> Any:
        kind = self.type
        if kind == "inlineStr":
            return None if self.inline is None else self.inline.take()
        v = self.v
        if not v:
            return None
        if kind == "n":
            number = float(v) if ("." in v or "E" in v or "e" in v) else int(v)
            if self.style not in self.book.date_styles:
                return number
            from openpyxl.utils.datetime import from_excel

            try:
                return from_excel(
                    number, self.epoch, timedelta=self.style in self.book.timedelta_styles
                )
            except (OverflowError, ValueError):
                return "#VALUE!"  # as openpyxl: a date serial out of range
        if kind == "s":
            return self.book.strings[int(v)]
        if kind == "b":
            return bool(int(v))
        if kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            return from_ISO8601(v)
        return v  # "str" (a formula's text), "e" (an error such as #N/A)


def _row_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        number = float(text)
        if not number.is_integer():
            raise
        return int(number)


class Workbook:
    """An open .xlsx: ``sheets`` lists (title, part); ``rows(part)`` streams one sheet."""

    def __init__(self, path: str | Path) -> None:
        self._zip = zipfile.ZipFile(path)
        try:
            self._book = _workbook(self._zip)
        except BaseException:
            self._zip.close()
            raise

    @property
    def sheets(self) -> list[tuple[str, str]]:
        return list(self._book.sheets)

    def rows(self, part: str) -> Iterator[tuple[int, Values]]:
        """(row number, values by column) for each ``<row>`` of the sheet, in file order."""
        sheet = _Sheet(self._book)
        with self._zip.open(part) as f:
            for _ in _feed(f, sheet.start, sheet.end, sheet.chars):
                yield from sheet.done
                sheet.done.clear()

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
