"""Coverage and visiting effort (docs/facts.md, "Visit outcomes" and "Figures").

A target's status as of a moment is the outcome of its latest covering visit
(入户走访 / 电话联系 / 不在家已登记) before it, else of its latest visit (电话未接通 or
约访), else none (未走访). Every coverage figure is per target kind (户 / 村（社区） /
单位或商铺). Read-only; one query per figure family, folded in Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from storage.facts.scope import FactScope, Period
from storage.models import Assignment, Cadre, Problem, Target, Visit
from storage.vocab import (
    COVERING_OUTCOMES,
    OUTCOME_APPOINTMENT,
    OUTCOME_AWAY,
    OUTCOME_PHONE,
    OUTCOME_PHONE_MISSED,
    OUTCOME_VISITED,
    TARGET_HOUSEHOLD,
    TARGET_KIND_LABELS,
)

KIND_ORDER = {kind: i for i, kind in enumerate(TARGET_KIND_LABELS)}


@dataclass(frozen=True)
class StatusVisit:
    """The visit that gives a target its status (see the module docstring)."""

    outcome: str
    visit_id: int
    cadre_id: int
    submitted_at: datetime

    @property
    def covered(self) -> bool:
        return self.outcome in COVERING_OUTCOMES


def target_statuses(
    session: Session, campaign_id: int, until: datetime | None = None, targets: Any = None
) -> dict[int, StatusVisit]:
    """Status as of ``until`` per visited target (``targets``: an optional SELECT of ids).

    Definition: the latest covering visit submitted before ``until``; else the latest
    visit (电话未接通 / 约访). Targets never visited are absent (未走访).
    """
    query = select(Visit.target_id, Visit.outcome, Visit.id, Visit.cadre_id, Visit.submitted_at)
    query = query.where(Visit.campaign_id == campaign_id)
    if until is not None:
        query = query.where(Visit.submitted_at < until)
    if targets is not None:
        query = query.where(Visit.target_id.in_(targets))
    latest: dict[int, StatusVisit] = {}
    covering: dict[int, StatusVisit] = {}
    for target_id, outcome, visit_id, cadre_id, at in session.execute(
        query.order_by(Visit.submitted_at, Visit.id)
    ):
        row = StatusVisit(outcome, visit_id, cadre_id, at)
        latest[target_id] = row
        if row.covered:
            covering[target_id] = row
    return latest | covering


@dataclass
class Coverage:
    """Coverage of one target kind (in one group) as of a moment; see docs/facts.md."""

    kind: str
    group: int | None = None
    assigned: int = 0  # 应访 / 走访任务
    visited: int = 0  # 入户走访
    phone: int = 0  # 电话联系 (a call that got through)
    away: int = 0  # 不在家已登记
    missed: int = 0  # 电话未接通, not covered
    pending: int = 0  # 约访, not covered
    key_assigned: int = 0
    key_covered: int = 0
    target_ids: list[int] = field(default_factory=list, repr=False)

    @property
    def covered(self) -> int:
        """已覆盖: 入户走访 + 电话联系 + 不在家已登记."""
        return self.visited + self.phone + self.away

    @property
    def not_covered(self) -> int:
        """未走访: 应访 − 已覆盖 (电话未接通 and 约访 included)."""
        return self.assigned - self.covered

    @property
    def percent(self) -> int:
        """完成%: round(100 × 已覆盖 / 应访), 0 when nothing is assigned."""
        return round(100 * self.covered / self.assigned) if self.assigned else 0

    def add(self, status: StatusVisit | None, is_key: bool) -> None:
        outcome = status.outcome if status else None
        self.assigned += 1
        self.visited += outcome == OUTCOME_VISITED
        self.phone += outcome == OUTCOME_PHONE
        self.away += outcome == OUTCOME_AWAY
        self.missed += outcome == OUTCOME_PHONE_MISSED
        self.pending += outcome == OUTCOME_APPOINTMENT
        self.key_assigned += is_key
        self.key_covered += is_key and status is not None and status.covered


def coverage(
    session: Session,
    campaign_id: int,
    scope: FactScope,
    until: datetime | None = None,
    group_by: str | None = None,
) -> list[Coverage]:
    """应访, 入户走访, 电话联系, 不在家已登记, 电话未接通, 约访, 重点对象 per target kind
    (and per ``group_by``: "target_unit", "cadre", "cadre_unit") as of ``until``.

    Targets in scope are those assigned in the campaign that the scope holds (by
    place: the target; by organisation: its assigned cadre). Rows ordered by group,
    then 户 / 村（社区） / 单位或商铺; kinds with nothing assigned are left out.
    """
    columns = (Target.id, Target.kind, Target.is_key, Target.unit_id, Cadre.id, Cadre.unit_id)
    query = (
        select(*columns)
        .join(Assignment, Assignment.target_id == Target.id)
        .join(Cadre, Cadre.id == Assignment.cadre_id)
        .where(Assignment.campaign_id == campaign_id, scope.assignment_condition(campaign_id))
    )
    rows = session.execute(query).all()
    ids = query.with_only_columns(Target.id)
    statuses = target_statuses(session, campaign_id, until, ids) if rows else {}
    out: dict[tuple[int | None, str], Coverage] = {}
    for target_id, kind, is_key, unit_id, cadre_id, cadre_unit in rows:
        group = {"target_unit": unit_id, "cadre": cadre_id, "cadre_unit": cadre_unit}.get(
            group_by or ""
        )
        line = out.setdefault((group, kind), Coverage(kind, group))
        line.add(statuses.get(target_id), bool(is_key))
        line.target_ids.append(target_id)
    return sorted(out.values(), key=lambda c: (c.group or 0, KIND_ORDER.get(c.kind, 9)))


def of_kind(lines: Iterable[Coverage], kind: str = TARGET_HOUSEHOLD) -> Coverage:
    """The sum of ``lines`` of one target kind (a zero line when there is none)."""
    total = Coverage(kind)
    for line in lines:
        if line.kind != kind:
            continue
        for name in (
            "assigned",
            "visited",
            "phone",
            "away",
            "missed",
            "pending",
            "key_assigned",
            "key_covered",
        ):
            setattr(total, name, getattr(total, name) + getattr(line, name))
        total.target_ids.extend(line.target_ids)
    return total


def covered_as_of(
    session: Session,
    campaign_id: int,
    scope: FactScope,
    moments: Sequence[datetime],
    kind: str = TARGET_HOUSEHOLD,
) -> list[int]:
    """已覆盖 of ``kind`` in ``scope`` as of each of ``moments`` (the 总览 weekly trend).

    The same count as ``of_kind(coverage(..., until=moment), kind).covered`` — targets
    assigned in scope with a covering visit submitted before the moment, counted per
    assignment — but as one aggregate query per moment, no rows fetched.
    """
    covering = select(Visit.id).where(
        Visit.campaign_id == campaign_id,
        Visit.target_id == Target.id,
        Visit.outcome.in_(COVERING_OUTCOMES),
    )
    counts = []
    for moment in moments:
        query = (
            select(func.count())
            .select_from(Target)
            .join(Assignment, Assignment.target_id == Target.id)
            .join(Cadre, Cadre.id == Assignment.cadre_id)
            .where(
                Assignment.campaign_id == campaign_id,
                Target.kind == kind,
                scope.assignment_condition(campaign_id),
                exists(covering.where(Visit.submitted_at < moment)),
            )
        )
        counts.append(int(session.scalar(query) or 0))
    return counts


@dataclass(frozen=True)
class Activity:
    """Visiting effort in a period (seed 003's weekly report)."""

    households: int  # 走访户数: distinct households with a covering visit in the period
    cadres: int  # 干部走访人数: distinct cadres with a covering visit in the period
    targets: dict[str, int]  # distinct covered targets per kind
    visits: dict[str, int]  # visit records per outcome (attempts included)


def activity(session: Session, campaign_id: int, scope: FactScope, period: Period) -> Activity:
    """走访户数 and 干部走访人数 for ``period`` in ``scope`` (by place: the visited
    target; by organisation: the visiting cadre), plus visit records per outcome."""
    query = (
        select(Visit.cadre_id, Visit.target_id, Visit.outcome, Target.kind)
        .join(Target, Target.id == Visit.target_id)
        .where(Visit.campaign_id == campaign_id, scope.visit_condition())
    )
    if period.since is not None:
        query = query.where(Visit.submitted_at >= period.since)
    if period.until is not None:
        query = query.where(Visit.submitted_at < period.until)
    cadres: set[int] = set()
    targets: dict[str, set[int]] = defaultdict(set)
    visits: dict[str, int] = defaultdict(int)
    for cadre_id, target_id, outcome, kind in session.execute(query):
        visits[outcome] += 1
        if outcome in COVERING_OUTCOMES:
            cadres.add(cadre_id)
            targets[kind].add(target_id)
    return Activity(
        households=len(targets.get(TARGET_HOUSEHOLD, ())),
        cadres=len(cadres),
        targets={k: len(v) for k, v in targets.items()},
        visits=dict(visits),
    )


def households_with_status(
    session: Session,
    campaign_id: int,
    scope: FactScope,
    period: Period,
    outcomes: Iterable[str],
) -> list[tuple[Target, StatusVisit]]:
    """Households in scope whose status as of ``period.until`` is one of ``outcomes``,
    given by a visit submitted in the period (the rows of 附件2 and 没有问题群众)."""
    wanted = set(outcomes)
    households = (
        select(Target.id)
        .join(Assignment, Assignment.target_id == Target.id)
        .join(Cadre, Cadre.id == Assignment.cadre_id)
        .where(
            Assignment.campaign_id == campaign_id,
            Target.kind == TARGET_HOUSEHOLD,
            scope.assignment_condition(campaign_id),
        )
    )
    statuses = target_statuses(session, campaign_id, period.until, households)
    picked = {
        tid: s
        for tid, s in statuses.items()
        if s.outcome in wanted and period.contains(s.submitted_at)
    }
    if not picked:
        return []
    targets = session.scalars(select(Target).where(Target.id.in_(sorted(picked))))
    return [(t, picked[t.id]) for t in targets]


def no_problem_households(
    session: Session, campaign_id: int, scope: FactScope, period: Period
) -> list[tuple[Target, StatusVisit]]:
    """没有问题群众: households in scope whose status as of ``until`` is 入户走访 or
    电话联系 by a visit submitted in the period, with no problem raised before ``until``."""
    found = households_with_status(
        session, campaign_id, scope, period, (OUTCOME_VISITED, OUTCOME_PHONE)
    )
    if not found:
        return []
    with_problems = select(Problem.target_id).where(
        Problem.target_id.in_(sorted(t.id for t, _ in found))
    )
    if period.until is not None:
        with_problems = with_problems.where(Problem.created_at < period.until)
    have = set(session.scalars(with_problems))
    return [(t, s) for t, s in found if t.id not in have]


def away_households(
    session: Session, campaign_id: int, scope: FactScope, period: Period
) -> list[tuple[Target, StatusVisit]]:
    """不在家已登记 (000 附件2): households in scope whose status as of ``until`` is
    不在家已登记 by a visit submitted in the period."""
    return households_with_status(session, campaign_id, scope, period, (OUTCOME_AWAY,))
