"""Coverage, progress and problem figures per unit or cadre, as the jobs report them.

Every number here is a named query of the fact layer (definitions: docs/facts.md);
this module only groups them by unit or cadre and names the rows. Read-only.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from storage import facts
from storage.facts import FactScope, Period
from storage.facts.counts import covering_visit
from storage.models import Assignment, Cadre, Problem, Target
from storage.units import UnitTree
from storage.vocab import CATEGORIES_CHANGZHOU, TARGET_HOUSEHOLD


@dataclass(frozen=True)
class UnitCoverage:
    """One row of household coverage (a village, or a cadre for an organisation)."""

    unit: str
    assigned: int
    visited: int  # 入户走访
    phone: int  # 电话联系 (a call that got through)
    key_assigned: int
    key_contacted: int
    away: int = 0  # 不在家已登记
    missed: int = 0  # 电话未接通 (not covered)
    pending: int = 0  # 约访 (not covered)

    @property
    def covered(self) -> int:
        return self.visited + self.phone + self.away

    @property
    def not_visited(self) -> int:
        """未走访: 应访 − 已覆盖."""
        return self.assigned - self.covered


@dataclass(frozen=True)
class CadreProgress:
    cadre_id: int
    userid: str
    name: str
    unit_id: int
    assigned: int  # targets assigned, every kind
    contacted: int  # of them covered (入户走访 / 电话联系 / 不在家已登记)

    @property
    def remaining(self) -> int:
        return self.assigned - self.contacted


def unit_coverage_row(name: str, c: facts.Coverage) -> UnitCoverage:
    """One :class:`UnitCoverage` row named ``name`` from a fact-layer coverage line."""
    return UnitCoverage(
        unit=name,
        assigned=c.assigned,
        visited=c.visited,
        phone=c.phone,
        key_assigned=c.key_assigned,
        key_contacted=c.key_covered,
        away=c.away,
        missed=c.missed,
        pending=c.pending,
    )


def scope_coverage(
    session: Session,
    campaign_id: int,
    tree: UnitTree,
    scope: FactScope,
    until: datetime | None = None,
) -> list[UnitCoverage]:
    """Household coverage rows of ``scope``: per village by place, per cadre by
    organisation (a 线办 has no villages of its own)."""
    by_cadre = scope.basis in (facts.ORG, facts.CADRE)
    group_by = "cadre" if by_cadre else "target_unit"
    lines = facts.coverage(session, campaign_id, scope, until, group_by=group_by)
    lines = [c for c in lines if c.kind == TARGET_HOUSEHOLD]
    names: dict[int, str] = {}
    if by_cadre:
        ids = [c.group for c in lines if c.group is not None]
        names = dict(session.execute(select(Cadre.id, Cadre.name).where(Cadre.id.in_(ids))).all())
    else:
        names = {uid: u.name for uid, u in tree.units.items()}
    return [unit_coverage_row(names.get(c.group or 0, ""), c) for c in lines]


def other_kinds(
    session: Session, campaign_id: int, scope: FactScope, until: datetime | None = None
) -> list[facts.Coverage]:
    """The 村（社区） and 单位或商铺 coverage lines of ``scope`` (absent when none assigned)."""
    lines = facts.coverage(session, campaign_id, scope, until)
    return [c for c in lines if c.kind != TARGET_HOUSEHOLD]


def coverage(
    session: Session,
    campaign_id: int,
    tree: UnitTree,
    unit_ids: Collection[int],
    until: datetime | None = None,
) -> list[UnitCoverage]:
    """Household coverage per village of the units ``unit_ids`` (by place)."""
    scope = FactScope(basis=facts.PLACE, unit_ids=frozenset(unit_ids))
    rows = scope_coverage(session, campaign_id, tree, scope, until)
    order = {tree.name(u): i for i, u in enumerate(unit_ids) if u in tree.units}
    return sorted(rows, key=lambda r: order.get(r.unit, len(order)))


def cadre_progress(
    session: Session, campaign_id: int, unit_ids: Collection[int]
) -> list[CadreProgress]:
    """Assigned and covered targets (every kind) per active cadre of ``unit_ids``."""
    scope = FactScope(basis=facts.ORG, unit_ids=frozenset(unit_ids))
    # Counted in the database: a county is 100 000 assignments and 300 000 visits, which
    # facts.coverage folds row by row. 已覆盖 (a status that covers) is "some covering
    # visit exists": the status is the latest covering visit whenever there is one.
    # Equal to facts.coverage per cadre: tests/storage/test_facts_counts.py.
    covering = covering_visit(campaign_id, Assignment.target_id)
    counted = session.execute(
        select(Cadre.id, func.count(), func.sum(case((covering, 1), else_=0)))
        .select_from(Target)
        .join(Assignment, Assignment.target_id == Target.id)
        .join(Cadre, Cadre.id == Assignment.cadre_id)
        .where(Assignment.campaign_id == campaign_id, scope.assignment_condition(campaign_id))
        .group_by(Cadre.id)
    )
    per: dict[int, list[int]] = {cid: [int(n), int(done or 0)] for cid, n, done in counted}
    if not per:
        return []
    cadres = session.execute(
        select(Cadre.id, Cadre.userid, Cadre.name, Cadre.unit_id)
        .where(Cadre.id.in_(sorted(per)), Cadre.active)
        .order_by(Cadre.id)
    ).all()
    return [CadreProgress(cid, uid, name, unit, *per[cid]) for cid, uid, name, unit in cadres]


def progress_of(
    session: Session, campaign_id: int, userids: Collection[str]
) -> dict[str, CadreProgress]:
    """:func:`cadre_progress` of a few active cadres by userid (the draw's five): their
    own targets only, however large the county."""
    cadres = session.execute(
        select(Cadre.id, Cadre.userid, Cadre.name, Cadre.unit_id).where(
            Cadre.userid.in_(sorted(userids)), Cadre.active
        )
    ).all()
    out: dict[str, CadreProgress] = {}
    for cid, uid, name, unit in cadres:
        lines = facts.coverage(session, campaign_id, FactScope(basis=facts.CADRE, cadre_id=cid))
        assigned = sum(c.assigned for c in lines)
        out[uid] = CadreProgress(cid, uid, name, unit, assigned, sum(c.covered for c in lines))
    return out


class RemainingTarget(NamedTuple):
    """A target a reminder lists: what its label needs."""

    id: int
    head_name: str
    unit_id: int
    grid: str
    address: str
    kind: str


def remaining_by_cadre(
    session: Session, campaign_id: int, cadre_ids: Sequence[int]
) -> dict[int, list[RemainingTarget]]:
    """Each cadre's assigned targets not covered yet (电话未接通 and 约访 included), by
    unit, grid and id, in one query for any number of cadres (the reminders' page).

    Not covered: no covering visit in the campaign, i.e. the status of
    :func:`storage.facts.coverage.target_statuses` is absent or not covering.
    """
    if not cadre_ids:
        return {}
    out: dict[int, list[RemainingTarget]] = {c: [] for c in cadre_ids}
    rows = session.execute(
        select(
            Assignment.cadre_id,
            Target.id,
            Target.head_name,
            Target.unit_id,
            Target.grid,
            Target.address,
            Target.kind,
        )
        .join(Target, Target.id == Assignment.target_id)
        .where(
            Assignment.campaign_id == campaign_id,
            Assignment.cadre_id.in_(sorted(cadre_ids)),
            ~covering_visit(campaign_id, Assignment.target_id),
        )
        .order_by(Assignment.cadre_id, Target.unit_id, Target.grid, Target.id)
    )
    for cadre_id, target_id, head_name, unit_id, grid, address, kind in rows:
        out[cadre_id].append(RemainingTarget(target_id, head_name, unit_id, grid, address, kind))
    return out


def problem_texts(
    session: Session, campaign_id: int, scope: FactScope, since: datetime | None = None
) -> list[str]:
    """The texts of ``scope``'s problems in the campaign (registered at or after
    ``since`` when given): the digests' keywords and the privacy guard's look-out list."""
    query = (
        select(Problem.text)
        .join(Target, Target.id == Problem.target_id)
        .where(scope.problem_condition(campaign_id))
    )
    if since is not None:
        query = query.where(Problem.created_at >= since)
    return list(session.scalars(query.order_by(Problem.id)))


@dataclass(frozen=True)
class ProblemCounts:
    """Per category: 新增 and 已解决 / 已解释 within the period, 逾期 at its end."""

    category: str
    raised: int
    solved: int  # became 已解决 in the period
    overdue: int
    explained: int = 0  # became 已解释 in the period


def problem_counts(
    session: Session,
    scope: FactScope,
    period: Period,
    now: datetime,
    assign_within_days: int | None,
) -> list[ProblemCounts]:
    """Per (seed-003) category: 问题数, 解决问题数, 已解释 in the period, 逾期 at its end."""
    states = facts.problem_states(
        session, scope, period, now=now, assign_within_days=assign_within_days
    )
    return category_counts(facts.problem_figures(states, period, key=lambda s: s.category))


def category_counts(figures: Mapping[Hashable, facts.ProblemFigures]) -> list[ProblemCounts]:
    """:func:`problem_counts` from the figures per category: seed 003's categories in
    order, then any other, each only when one of its four counts is not zero."""
    cats = list(CATEGORIES_CHANGZHOU) + sorted(
        str(k) for k in set(figures) - set(CATEGORIES_CHANGZHOU)
    )
    out = []
    for c in cats:
        f = figures.get(c)
        if f and (f.raised or f.solved_in_period or f.overdue or f.explained_in_period):
            out.append(
                ProblemCounts(c, f.raised, f.solved_in_period, f.overdue, f.explained_in_period)
            )
    return out


@dataclass(frozen=True)
class WeeklyFigures:
    """Seed 003's weekly report: 干部走访人数, 走访户数, 汇总问题数, 解决问题数."""

    cadres: int
    households: int
    problems: int
    solved: int


def weekly_figures(
    session: Session,
    campaign_id: int,
    scope: FactScope,
    period: Period,
    now: datetime,
) -> WeeklyFigures:
    """The week's 干部走访人数 / 走访户数 (:func:`storage.facts.activity`) and 汇总问题数 /
    解决问题数 (:func:`storage.facts.problem_figures`)."""
    act = facts.activity(session, campaign_id, scope, period)
    states = facts.problem_states(session, scope, period, now=now, assign_within_days=None)
    f = facts.total(facts.problem_figures(states, period).values())
    return WeeklyFigures(act.cadres, act.households, f.raised, f.solved_in_period)


# 附件5's rows are a fact-layer query, named here beside the others the digests show.
HalfmonthRow = facts.HalfmonthRow
halfmonth_rows = facts.halfmonth_rows


def problem_texts_by_place(
    session: Session, since: datetime | None
) -> Iterator[tuple[str, int, str, int]]:
    """(text, household's unit, its grid, finder's unit) of every problem registered
    since ``since`` (all without), in problem order: Core rows, streamed."""
    query = (
        select(Problem.text, Target.unit_id, Target.grid, Cadre.unit_id)
        .join(Target, Target.id == Problem.target_id)
        .join(Cadre, Cadre.id == Problem.found_by_id)
        .order_by(Problem.id)
    )
    if since is not None:
        query = query.where(Problem.created_at >= since)
    # The option on the statement, never on the session's shared connection.
    rows = session.connection().execute(query.execution_options(yield_per=2000))
    yield from ((text, unit_id, grid, finder) for text, unit_id, grid, finder in rows)
