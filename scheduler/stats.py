"""Read-only figures the jobs report: coverage, cadre progress, problem counts.

Every function takes a session and explicit scope (campaign, unit ids, time range)
and returns small frozen dataclasses; nothing here writes or commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Assignment, Cadre, Problem, Target, Unit, Visit
from storage.vocab import (
    CATEGORIES_CHANGZHOU,
    OUTCOME_AWAY,
    OUTCOME_PHONE,
    OUTCOME_VISITED,
)

CLOSED_STATUSES = ("solved", "explained", "followed_up")
CONTACT_OUTCOMES = (OUTCOME_VISITED, OUTCOME_PHONE, OUTCOME_AWAY)
_RANK = {OUTCOME_VISITED: 2, OUTCOME_PHONE: 1, OUTCOME_AWAY: 1}


class UnitTree:
    """All units, loaded once per job run, with subtree look-ups."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self.units = {u.id: u for u in units}
        self.children: dict[int | None, list[int]] = defaultdict(list)
        for u in self.units.values():
            self.children[u.parent_id].append(u.id)

    @classmethod
    def load(cls, session: Session) -> UnitTree:
        return cls(session.scalars(select(Unit).order_by(Unit.id)))

    def by_name(self, name: str) -> Unit | None:
        return next((u for u in self.units.values() if u.name == name), None)

    def name(self, unit_id: int) -> str:
        return self.units[unit_id].name

    def subtree(self, unit_id: int) -> list[int]:
        """``unit_id`` and every unit below it, parents before children."""
        out, todo = [], [unit_id]
        while todo:
            current = todo.pop(0)
            out.append(current)
            todo.extend(sorted(self.children.get(current, [])))
        return out

    def roots(self) -> list[int]:
        return sorted(self.children.get(None, []))


@dataclass(frozen=True)
class UnitCoverage:
    unit: str
    assigned: int
    visited: int  # in person
    phone: int  # reached by phone, or not at home with details recorded
    key_assigned: int
    key_contacted: int

    @property
    def not_visited(self) -> int:
        return self.assigned - self.visited - self.phone


@dataclass(frozen=True)
class CadreProgress:
    cadre_id: int
    userid: str
    name: str
    unit_id: int
    assigned: int
    contacted: int

    @property
    def remaining(self) -> int:
        return self.assigned - self.contacted


def best_outcomes(
    session: Session, campaign_id: int, until: datetime | None = None
) -> dict[int, str]:
    """Per target, the best contact outcome logged so far (visited beats phone/away)."""
    stmt = select(Visit.target_id, Visit.outcome).where(
        Visit.campaign_id == campaign_id, Visit.outcome.in_(CONTACT_OUTCOMES)
    )
    if until is not None:
        stmt = stmt.where(Visit.submitted_at < until)
    best: dict[int, str] = {}
    for target_id, outcome in session.execute(stmt):
        if _RANK[outcome] > _RANK.get(best.get(target_id, ""), 0):
            best[target_id] = outcome
    return best


def coverage(
    session: Session,
    campaign_id: int,
    tree: UnitTree,
    unit_ids: Collection[int],
    best: dict[int, str] | None = None,
) -> list[UnitCoverage]:
    """Coverage per target unit inside ``unit_ids`` (units without targets left out).

    ``best`` is :func:`best_outcomes`, when the caller already has it.
    """
    best = best_outcomes(session, campaign_id) if best is None else best
    rows = session.execute(
        select(Target.id, Target.unit_id, Target.is_key)
        .join(Assignment, Assignment.target_id == Target.id)
        .where(Assignment.campaign_id == campaign_id, Target.unit_id.in_(list(unit_ids)))
    ).all()
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for target_id, unit_id, is_key in rows:
        c = counts[unit_id]
        outcome = best.get(target_id)
        c[0] += 1
        c[1] += outcome == OUTCOME_VISITED
        c[2] += outcome in (OUTCOME_PHONE, OUTCOME_AWAY)
        c[3] += bool(is_key)
        c[4] += bool(is_key) and outcome is not None
    order = [u for u in unit_ids if u in counts]
    return [UnitCoverage(tree.name(u), *counts[u]) for u in order]


def cadre_progress(
    session: Session,
    campaign_id: int,
    unit_ids: Collection[int],
    best: dict[int, str] | None = None,
) -> list[CadreProgress]:
    """Assigned and contacted targets per active cadre of ``unit_ids`` with assignments."""
    best = best_outcomes(session, campaign_id) if best is None else best
    rows = session.execute(
        select(Cadre.id, Cadre.userid, Cadre.name, Cadre.unit_id, Assignment.target_id)
        .join(Assignment, Assignment.cadre_id == Cadre.id)
        .where(
            Assignment.campaign_id == campaign_id,
            Cadre.unit_id.in_(list(unit_ids)),
            Cadre.active,
        )
        .order_by(Cadre.id)
    ).all()
    per: dict[int, list] = {}
    for cadre_id, userid, name, unit_id, target_id in rows:
        entry = per.setdefault(cadre_id, [userid, name, unit_id, 0, 0])
        entry[3] += 1
        entry[4] += target_id in best
    return [CadreProgress(cid, *vals) for cid, vals in per.items()]


def remaining_targets(
    session: Session, campaign_id: int, cadre_id: int, best: dict[int, str] | None = None
) -> list[Target]:
    """A cadre's assigned targets with no contact yet, in a stable order."""
    best = best_outcomes(session, campaign_id) if best is None else best
    targets = session.scalars(
        select(Target)
        .join(Assignment, Assignment.target_id == Target.id)
        .where(Assignment.campaign_id == campaign_id, Assignment.cadre_id == cadre_id)
        .order_by(Target.unit_id, Target.grid, Target.id)
    )
    return [t for t in targets if t.id not in best]


@dataclass(frozen=True)
class ProblemCounts:
    category: str
    raised: int
    solved: int
    overdue: int


def is_overdue(problem: Problem, now: datetime, assign_within: timedelta | None = None) -> bool:
    """Past its 办结 deadline and not closed; with ``assign_within`` (the 交办 allowance,
    ``ledger.assign_within_days``) also a problem still 登记 that long after it was raised."""
    if problem.status == "registered" and assign_within is not None:
        return problem.created_at < now - assign_within
    return (
        problem.deadline is not None
        and problem.deadline < now
        and problem.status not in CLOSED_STATUSES
    )


def problems_in_scope(session: Session, unit_ids: Collection[int]) -> list[Problem]:
    return list(
        session.scalars(
            select(Problem).where(Problem.unit_id.in_(list(unit_ids))).order_by(Problem.id)
        )
    )


def problem_counts(
    problems: Iterable[Problem],
    since: datetime,
    until: datetime,
    now: datetime,
    assign_within: timedelta | None = None,
) -> list[ProblemCounts]:
    """Per category: raised and solved within [since, until), overdue at ``now`` (see
    :func:`is_overdue`: never-assigned problems count when ``assign_within`` is given)."""
    raised: dict[str, int] = defaultdict(int)
    solved: dict[str, int] = defaultdict(int)
    overdue: dict[str, int] = defaultdict(int)
    for p in problems:
        raised[p.category] += since <= p.created_at < until
        solved[p.category] += (
            p.status in CLOSED_STATUSES and p.closed_at is not None and since <= p.closed_at < until
        )
        overdue[p.category] += is_overdue(p, now, assign_within)
    cats = list(CATEGORIES_CHANGZHOU) + sorted(set(raised) - set(CATEGORIES_CHANGZHOU))
    return [
        ProblemCounts(c, raised[c], solved[c], overdue[c])
        for c in cats
        if raised[c] or solved[c] or overdue[c]
    ]


@dataclass(frozen=True)
class WeeklyFigures:
    """Seed 003's weekly report: 干部走访人数, 走访户数, 汇总问题数, 解决问题数."""

    cadres: int
    households: int
    problems: int
    solved: int


def contacts_between(
    session: Session, campaign_id: int, unit_ids: Collection[int], since: datetime, until: datetime
) -> list[tuple[int, int]]:
    """(cadre id, target id) of every contact logged in [since, until) in ``unit_ids``."""
    rows = session.execute(
        select(Visit.cadre_id, Visit.target_id)
        .join(Target, Target.id == Visit.target_id)
        .where(
            Visit.campaign_id == campaign_id,
            Visit.outcome.in_(CONTACT_OUTCOMES),
            Visit.submitted_at >= since,
            Visit.submitted_at < until,
            Target.unit_id.in_(list(unit_ids)),
        )
    )
    return [(cadre_id, target_id) for cadre_id, target_id in rows]


def weekly_figures(
    session: Session,
    campaign_id: int,
    unit_ids: Collection[int],
    problems: Iterable[Problem],
    since: datetime,
    until: datetime,
) -> WeeklyFigures:
    contacts = contacts_between(session, campaign_id, unit_ids, since, until)
    plist = list(problems)
    return WeeklyFigures(
        cadres=len({cadre for cadre, _ in contacts}),
        households=len({target for _, target in contacts}),
        problems=sum(since <= p.created_at < until for p in plist),
        solved=sum(
            p.status in CLOSED_STATUSES and p.closed_at is not None and since <= p.closed_at < until
            for p in plist
        ),
    )


HARDSHIP_KIND = "困难需求"


def halfmonth_summary(problems: Iterable[Problem]) -> list[tuple[str, int, int]]:
    """Seed 003 附件5: (项目, 已解决, 待解决) — 困难需求 first, then 意见建议 by category."""
    solved: dict[str, int] = defaultdict(int)
    pending: dict[str, int] = defaultdict(int)
    for p in problems:
        label = HARDSHIP_KIND if p.kind == HARDSHIP_KIND else p.category
        if p.status in CLOSED_STATUSES:
            solved[label] += 1
        else:
            pending[label] += 1
    labels = [HARDSHIP_KIND, *CATEGORIES_CHANGZHOU]
    labels += sorted((set(solved) | set(pending)) - set(labels))
    return [(label, solved[label], pending[label]) for label in labels]
