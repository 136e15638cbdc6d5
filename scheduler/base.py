"""What every job shares: the result type, the job protocols and local-time helpers.

A job is a plain function ``job(session, now, config, *, force=False) -> JobResult``.
It never commits: the caller (the runner or ``minqing run-job``) owns the unit of
work, so the job's :class:`~storage.models.JobRun` rows and its outbox rows are
committed together or not at all. The one exception is a :class:`RuntimeJob`
(``job(runtime, now, *, force=False)``), for work that waits on the WeCom API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.dialogs import timeparse
from storage.db import Session

if TYPE_CHECKING:
    from bot.runtime import Runtime


@dataclass(frozen=True)
class JobResult:
    """What one run did: run keys it claimed, keys already taken, messages queued."""

    job: str
    claimed: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    messages: int = 0
    notes: tuple[str, ...] = field(default=())

    def summary(self) -> str:
        parts = [f"{self.job}: {len(self.claimed)} run(s), {self.messages} message(s) queued"]
        if self.skipped:
            parts.append(f"{len(self.skipped)} already done ({', '.join(self.skipped)})")
        parts.extend(self.notes)
        return "; ".join(parts)


class Job(Protocol):
    def __call__(
        self, session: Session, now: datetime, config: Config, *, force: bool = False
    ) -> JobResult: ...


class RuntimeJob(Protocol):
    """A job that talks to WeCom itself: it opens its own short units of work, so no
    transaction stays open while it waits on the network (e.g. photo downloads)."""

    def __call__(self, runtime: Runtime, now: datetime, *, force: bool = False) -> JobResult: ...


def local_now(now: datetime, config: Config) -> datetime:
    """``now`` in the campaign's time zone (``[campaign] timezone``)."""
    return now.astimezone(ZoneInfo(config.campaign.timezone))


def local_today(now: datetime, config: Config) -> date:
    """The campaign's calendar day at ``now`` (the one definition lives in timeparse)."""
    return timeparse.local_today(now, ZoneInfo(config.campaign.timezone))


def iso_week(day: date) -> str:
    """``2026-W48`` for a date."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_bounds(week: str) -> tuple[date, date]:
    """First (Monday) and last (Sunday) day of an ISO week like ``2026-W48``.

    Raises ValueError for a malformed week.
    """
    try:
        year_s, week_s = week.split("-W")
        monday = date.fromisocalendar(int(year_s), int(week_s), 1)
    except ValueError:
        raise ValueError(f"week must look like 2026-W48 (got {week!r})") from None
    return monday, monday + timedelta(days=6)


def local_day_start(day: date, config: Config) -> datetime:
    """Midnight at the start of ``day`` in the campaign's time zone, as an aware datetime."""
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(config.campaign.timezone))
