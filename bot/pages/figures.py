"""The figures of the 总览 page, every one a fact-layer query (docs/facts.md).

Coverage by village/grid is :func:`storage.progress.scope_coverage` and the week's
four figures :func:`storage.progress.weekly_figures` — the very calls the weekly
digest makes — so the page and the digest cannot disagree. By cadre and the weekly
trend are :func:`storage.facts.coverage` grouped by cadre and counted as of each
week's end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import Config
from scheduler.base import local_day_start, local_today
from storage import facts
from storage.db import Session
from storage.facts import FactScope, Period
from storage.models import Campaign
from storage.pages import cadre_names
from storage.progress import (
    ProblemCounts,
    UnitCoverage,
    WeeklyFigures,
    problem_counts,
    scope_coverage,
    weekly_figures,
)
from storage.units import UnitTree
from storage.vocab import TARGET_HOUSEHOLD

TREND_WEEKS = 6


@dataclass(frozen=True)
class PlaceLine:
    """A village (or, for a 线办, a cadre) and its household coverage; ``unit_id`` set
    when the page can drill down into it."""

    row: UnitCoverage
    unit_id: int | None

    @property
    def percent(self) -> int:
        return round(100 * self.row.covered / self.row.assigned) if self.row.assigned else 0


@dataclass(frozen=True)
class CadreLine:
    name: str
    assigned: int
    covered: int

    @property
    def percent(self) -> int:
        return round(100 * self.covered / self.assigned) if self.assigned else 0


@dataclass(frozen=True)
class TrendPoint:
    label: str  # the week's Monday, 11/16
    covered: int
    assigned: int


@dataclass(frozen=True)
class Overview:
    label: str
    total: facts.Coverage
    places: list[PlaceLine]
    cadres: list[CadreLine]
    trend: list[TrendPoint]
    week: WeeklyFigures
    problems: list[ProblemCounts]
    quota: int

    @property
    def quota_met(self) -> int:
        return sum(1 for c in self.cadres if c.covered >= self.quota)


def this_week(now: datetime, config: Config) -> Period:
    """Monday 00:00 (campaign zone) to now: the weekly digest's week."""
    today = local_today(now, config)
    return Period(local_day_start(today - timedelta(days=today.weekday()), config), now)


def overview(
    session: Session,
    campaign: Campaign,
    scope: FactScope,
    now: datetime,
    config: Config,
) -> Overview:
    """Everything 总览 shows for ``scope`` at ``now``; laggards first in every list."""
    tree = UnitTree.load(session)
    households = [
        c for c in facts.coverage(session, campaign.id, scope) if c.kind == TARGET_HOUSEHOLD
    ]
    total = facts.of_kind(households)
    by_place = scope.basis == facts.PLACE or scope.basis == facts.ALL
    places = [
        PlaceLine(row, unit.id if by_place and (unit := tree.by_name(row.unit)) else None)
        for row in scope_coverage(session, campaign.id, tree, scope)
    ]
    places.sort(key=lambda p: (p.percent, -(p.row.assigned - p.row.covered), p.row.unit))
    per_cadre = [
        c
        for c in facts.coverage(session, campaign.id, scope, group_by="cadre")
        if c.kind == TARGET_HOUSEHOLD
    ]
    names = cadre_names(session, [c.group for c in per_cadre if c.group is not None])
    cadres = [CadreLine(names.get(c.group or 0, ""), c.assigned, c.covered) for c in per_cadre]
    cadres.sort(key=lambda c: (c.percent, -(c.assigned - c.covered), c.name))
    week = this_week(now, config)
    return Overview(
        label=scope.label,
        total=total,
        places=places,
        cadres=cadres,
        trend=trend(session, campaign, scope, now, config, total.assigned),
        week=weekly_figures(session, campaign.id, scope, week, now),
        problems=problem_counts(session, scope, week, now, config.ledger.assign_within_days),
        quota=config.campaign.quota_per_cadre,
    )


def trend(
    session: Session,
    campaign: Campaign,
    scope: FactScope,
    now: datetime,
    config: Config,
    assigned: int,
) -> list[TrendPoint]:
    """Households covered as of the end of each of the last TREND_WEEKS weeks (the
    current week as of now), labelled by the week's Monday."""
    monday = this_week(now, config).since
    assert monday is not None
    zone = ZoneInfo(config.campaign.timezone)
    starts = [monday - timedelta(weeks=back) for back in range(TREND_WEEKS - 1, -1, -1)]
    ends = [min(start + timedelta(weeks=1), now) for start in starts]
    counts = facts.covered_as_of(session, campaign.id, scope, ends)
    return [
        TrendPoint(f"{(local := start.astimezone(zone)).month}/{local.day}", covered, assigned)
        for start, covered in zip(starts, counts, strict=True)
    ]
