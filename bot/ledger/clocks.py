"""Deadlines like a 12345 hotline: every open problem has exactly one running clock.

- 登记 → 交办 within ``ledger.assign_within_days`` of registration;
- 交办 → 办结 by the deadline set when assigning (default by responsibility level:
  ``resolve_days_town`` / ``resolve_days_linked`` / ``resolve_days_city``), which the
  assigning leader may extend once;
- 办结 → 回访 within ``ledger.followup_within_days`` of closing.

Overdue is computed here from ``now``; it is never stored. Pure: no clock is read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from bot.config import LedgerConfig

OPEN_STATUSES = ("registered", "assigned", "in_progress", "solved", "explained")


def resolve_days(responsibility: str, cfg: LedgerConfig) -> int:
    """Days to 办结 for a responsibility level (town / linked / city)."""
    days = {
        "town": cfg.resolve_days_town,
        "linked": cfg.resolve_days_linked,
        "city": cfg.resolve_days_city,
    }
    if responsibility not in days:
        raise ValueError(f"unknown responsibility {responsibility!r}")
    return days[responsibility]


def default_deadline(assigned_at: datetime, responsibility: str, cfg: LedgerConfig) -> datetime:
    return assigned_at + timedelta(days=resolve_days(responsibility, cfg))


@dataclass(frozen=True)
class ProblemTimes:
    """What the clocks need to know about a problem (a snapshot, no ORM)."""

    status: str
    created_at: datetime
    deadline: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True)
class Clock:
    """The running clock: which step is due (交办 / 办结 / 回访), by when, overdue or not."""

    step: str
    due: datetime
    overdue: bool
    days_left: int  # whole days; negative (at least -1) when overdue

    def label(self, zone: tzinfo) -> str:
        """Short Chinese text for lists, e.g. "办结 11月30日前，剩7天" or "办结 超期2天".

        The date is the due instant's calendar day in ``zone`` (the campaign's).
        """
        local = self.due.astimezone(zone)
        when = f"{local.month}月{local.day}日"
        if self.overdue:
            return f"{self.step} 已超期{-self.days_left}天（应于{when}前）"
        if self.days_left == 0:
            return f"{self.step} 今天到期（{when}）"
        return f"{self.step} {when}前，剩{self.days_left}天"


def clock_of(times: ProblemTimes, now: datetime, cfg: LedgerConfig) -> Clock | None:
    """The running clock at ``now``, or None once followed up."""
    if times.status == "registered":
        step, due = "交办", times.created_at + timedelta(days=cfg.assign_within_days)
    elif times.status in ("assigned", "in_progress"):
        if times.deadline is None:
            raise ValueError("an assigned problem must have a deadline")
        step, due = "办结", times.deadline
    elif times.status in ("solved", "explained"):
        if times.closed_at is None:
            raise ValueError("a closed problem must have closed_at")
        step, due = "回访", times.closed_at + timedelta(days=cfg.followup_within_days)
    else:
        return None
    left = due - now
    day = timedelta(days=1)
    # 6.5 days left → 剩6天; 25 hours late → 超期1天; one second late → 超期1天.
    days_left = math.floor(left / day) if left >= timedelta(0) else -max(1, math.floor(-left / day))
    return Clock(step=step, due=due, overdue=now > due, days_left=days_left)


def overdue_thresholds(now: datetime, cfg: LedgerConfig) -> dict[str, datetime]:
    """For database queries: a problem is overdue when its reference time is before these.

    ``registered``: created_at < value; ``assigned``/``in_progress``: deadline < value;
    ``solved``/``explained``: closed_at < value.
    """
    return {
        "registered": now - timedelta(days=cfg.assign_within_days),
        "assigned": now,
        "in_progress": now,
        "solved": now - timedelta(days=cfg.followup_within_days),
        "explained": now - timedelta(days=cfg.followup_within_days),
    }
