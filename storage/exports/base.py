"""The shapes every export table shares: the request, the scope and the laid-out sheet.

A table module turns ``(session, ExportRequest)`` into a :class:`Sheet` (title, note
lines, header rows, body rows, totals); :mod:`storage.exports.writer` lays any sheet
out in openpyxl. Every count is a query of :mod:`storage.facts` (docs/facts.md); the
request's ``scope.facts`` says whose rows they count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from storage.facts import EVERYTHING, FactScope, Period
from storage.models import Cadre, Problem

Cell = str | int | float | date | None
END_OF_RECORDS = datetime(9999, 1, 1, tzinfo=UTC)
Row = tuple[Cell, ...]


class HalfmonthSummary(Protocol):
    """``scheduler.stats.halfmonth_summary``: problems -> (项目, 已解决, 待解决) rows."""

    def __call__(self, problems: Iterable[Problem]) -> list[tuple[str, int, int]]: ...


class BestOutcomes(Protocol):
    """``scheduler.stats.best_outcomes``: target id -> best contact outcome so far."""

    def __call__(
        self, session: Session, campaign_id: int, until: datetime | None = None
    ) -> dict[int, str]: ...


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
    # Unused since the counts moved to storage.facts; kept so callers still build.
    halfmonth_summary: HalfmonthSummary | None = None
    best_outcomes: BestOutcomes | None = None
    since: datetime | None = None
    until: datetime | None = None
    # The moment an open-ended period's states are counted at (the CLI passes its clock).
    now: datetime | None = None
    # Masks personal numbers inside free text (problem texts) for tables without a
    # phone column; the CLI passes storage.masking.mask_numbers.
    redact: Callable[[str], str] = str

    def period(self) -> Period:
        return Period(self.since, self.until)

    def as_of(self) -> datetime:
        """When problem states are counted: the period's end, else ``now``; with neither,
        after every recorded event (no table shows 逾期, the one figure that needs now)."""
        return self.until or self.now or END_OF_RECORDS

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


@dataclass(frozen=True)
class Merge:
    """A merged block in body coordinates (0-based rows of ``Sheet.rows``, 0-based columns)."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int


@dataclass(frozen=True)
class Sheet:
    """One table laid out like the seed's attachment."""

    title: str
    notes: tuple[str, ...]
    header: tuple[Row, ...]
    widths: tuple[float, ...]
    rows: tuple[Row, ...]
    totals: tuple[Row, ...] = ()
    merges: tuple[Merge, ...] = ()
    header_merges: tuple[Merge, ...] = ()
    date_columns: frozenset[int] = field(default_factory=frozenset)

    @property
    def width(self) -> int:
        return len(self.widths)


Builder = Callable[[Session, ExportRequest], Sheet]


@dataclass(frozen=True)
class TableSpec:
    """A registered table: its command-line name, title, seed source and builder."""

    key: str
    title: str
    seed: str
    columns: tuple[str, ...]
    build: Builder
    has_phone: bool = False
