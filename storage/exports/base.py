"""The shapes every export table shares: the request, the scope and the laid-out sheet.

A table module turns ``(session, ExportRequest)`` into a :class:`Sheet` (title, note
lines, header rows, body rows, totals); :mod:`storage.exports.writer` lays any sheet
out in openpyxl. Every count is a query of :mod:`storage.facts` (docs/facts.md); the
request's ``scope.facts`` says whose rows they count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Generic, Protocol, TypeVar, overload
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from storage.facts import EVERYTHING, FactScope, Period
from storage.models import Cadre

Cell = str | int | float | date | None
END_OF_RECORDS = datetime(9999, 1, 1, tzinfo=UTC)
Row = tuple[Cell, ...]


class AnswerLabel(Protocol):
    """How a stored answer reads on paper: ``(template id, question id, value) -> text``
    (choice labels instead of ids); the CLI wires one on the questionnaire templates."""

    def __call__(self, template: str, question: str, value: object) -> str: ...


def plain_answer(template: str, question: str, value: object) -> str:
    """The stored value as text (no template at hand): lists joined, 12.0 -> 12."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Scope:
    """Whose rows an export may hold.

    ``unit_ids`` None means every unit (an administrator at the console);
    ``viewer`` set means "exactly what this person sees in chat": a visiting cadre
    their own targets, a leader their unit's subtree. Both may apply at once.
    """

    unit_ids: frozenset[int] | None = None
    viewer: Cadre | None = None
    viewer_targets: frozenset[int] | None = None  # a visiting cadre's assigned targets
    unit_label: str = ""  # the unit the export is about, for the title lines
    # The fact layer's scope every count uses (docs/facts.md "Scopes"): ``--unit``'s
    # (by place, or by organisation for a 线办/部门), else the viewer's chat scope.
    facts: FactScope = EVERYTHING
    # ``--unit``'s own scope (None without ``--unit``): narrows the viewer's problems.
    unit_facts: FactScope | None = None


@dataclass(frozen=True)
class ExportRequest:
    """Everything a table builder needs besides the session.

    ``since``/``until`` are aware datetimes, [since, until); ``tz`` shows dates.
    """

    campaign_id: int
    scope: Scope
    tz: ZoneInfo
    since: datetime | None = None
    until: datetime | None = None
    # The moment an open-ended period's states are counted at (the CLI passes its clock).
    now: datetime | None = None
    # Masks personal numbers inside free text (problem texts) for tables without a
    # phone column; the CLI passes storage.masking.mask_numbers.
    redact: Callable[[str], str] = str
    # The day printed on the 日期 lines (the campaign's local today); blank when None.
    today: date | None = None
    answer_label: AnswerLabel = plain_answer

    def period(self) -> Period:
        return Period(self.since, self.until)

    def as_of(self) -> datetime:
        """When problem states are counted: the period's end, or ``now`` if that is sooner
        (a period that runs into the future stops at now, as in :meth:`Period.as_of`);
        with neither, after every recorded event (no table shows 逾期, the one figure
        that needs now)."""
        if self.now is not None:
            return self.period().as_of(self.now)
        return self.until or END_OF_RECORDS

    def in_period(self, when: datetime | None) -> bool:
        if when is None:
            return False
        return (self.since is None or when >= self.since) and (
            self.until is None or when < self.until
        )

    def day(self, when: datetime | None) -> date | None:
        """The calendar day of ``when`` in the campaign's time zone (``tz``)."""
        return None if when is None else when.astimezone(self.tz).date()

    def period_label(self) -> str:
        """``2026-11-01 至 2026-11-15`` (inclusive days), or 全部 without a period."""
        if self.since is None and self.until is None:
            return "全部"
        start = self.day(self.since)
        end = self.day(self.until - timedelta(microseconds=1)) if self.until else None
        return f"{start or '开始'} 至 {end or '今'}"


T = TypeVar("T")


class LazyRows(Sequence[Row], Generic[T]):
    """Numbered body rows made from ``items`` one at a time, as the writer reads them:
    a county's 170 000 problems are never all in memory as row tuples at once.
    ``make(n, item)`` is the row of the n-th item (n from 1)."""

    def __init__(self, items: Sequence[T], make: Callable[[int, T], Row]) -> None:
        self._items = items
        self._make = make

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Row]:
        make = self._make
        return (make(n, item) for n, item in enumerate(self._items, start=1))

    @overload
    def __getitem__(self, index: int) -> Row: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Row]: ...
    def __getitem__(self, index: int | slice) -> Row | Sequence[Row]:
        if isinstance(index, slice):
            return tuple(self)[index]
        n = range(len(self._items))[index]  # negative indexes, IndexError
        return self._make(n + 1, self._items[n])


@dataclass(frozen=True)
class Merge:
    """A merged block in body coordinates (0-based rows of ``Sheet.rows``, 0-based columns)."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int
    centred: bool = True  # False: a form's free-text answer, left-aligned and wrapped


@dataclass(frozen=True)
class Sheet:
    """One table laid out like the seed's attachment.

    A list has header rows (frozen, repeated on every printed page); a form (the
    village and household questionnaires) has none: its ``rows`` are the form's grid.
    ``tail`` lines follow the body (a form's own signature lines); the writer adds
    the 填报单位 / 填报人 / 审核人 / 日期 lines under every sheet.
    """

    title: str
    notes: tuple[str, ...]
    header: tuple[Row, ...]
    widths: tuple[float, ...]
    rows: Sequence[Row]  # a tuple, or LazyRows made while the sheet is written
    totals: tuple[Row, ...] = ()
    merges: tuple[Merge, ...] = ()
    header_merges: tuple[Merge, ...] = ()
    date_columns: frozenset[int] = field(default_factory=frozenset)
    name: str = ""  # the worksheet tab; the title when empty
    tail: tuple[str, ...] = ()
    row_heights: tuple[tuple[int, float], ...] = ()  # (body row, points)
    landscape: bool = False

    @property
    def width(self) -> int:
        return len(self.widths)


@dataclass(frozen=True)
class Book:
    """A workbook of several sheets (one per village, household or cadre).

    ``records`` counts what the sheets stand for (villages, households, problems).
    """

    title: str
    sheets: tuple[Sheet, ...]
    records: int

    @property
    def rows(self) -> tuple[Row, ...]:
        return tuple(row for sheet in self.sheets for row in sheet.rows)

    @property
    def row_count(self) -> int:
        """Body rows over every sheet (without making them)."""
        return sum(len(sheet.rows) for sheet in self.sheets)


@dataclass(frozen=True)
class SignOff:
    """The closing 填报单位 / 填报人 / 审核人 / 日期 line of every table."""

    unit: str = ""
    filled_by: str = ""
    reviewer: str = ""
    day: date | None = None


Builder = Callable[[Session, ExportRequest], "Sheet | Book"]


@dataclass(frozen=True)
class TableSpec:
    """A registered table: its command-line name, title, seed source and builder."""

    key: str
    title: str
    seed: str
    columns: tuple[str, ...]
    build: Builder
    has_phone: bool = False
