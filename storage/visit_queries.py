"""Visit queries: a cadre's targets with their status, progress figures, recent visits.

Read-only helpers scoped to one campaign and one cadre (a cadre only ever sees the
targets assigned to them); the writes are in :mod:`storage.visits`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import facts
from storage.facts.counts import coverage_counts
from storage.models import Assignment, Cadre, Phase, Target, Unit, Visit
from storage.vocab import (
    OUTCOME_APPOINTMENT,
    OUTCOME_AWAY,
    OUTCOME_PHONE,
    OUTCOME_PHONE_MISSED,
    TARGET_HOUSEHOLD,
    TARGET_KIND_LABELS,
)

NOT_HOME_OUTCOMES = (OUTCOME_AWAY, OUTCOME_PHONE, OUTCOME_PHONE_MISSED, OUTCOME_APPOINTMENT)


@dataclass(frozen=True)
class TargetStatus:
    """One assigned target with where its visits stand (status ``todo`` when none)."""

    id: int
    name: str
    address: str
    grid: str
    phone: str
    is_key: bool
    categories: tuple[str, ...]
    status: str
    appointment_at: datetime | None
    not_home_count: int
    missed_count: int = 0
    kind: str = "household"


@dataclass(frozen=True)
class ProgressFigures:
    """A cadre's own coverage as of now (storage.facts.coverage, docs/facts.md)."""

    visited: int
    phone: int
    assigned: int
    key_left: int
    deadline: date | None
    away: int = 0
    missed: int = 0
    pending: int = 0
    percent: int = 0
    kinds: tuple[tuple[str, int, int], ...] = ()


def deadline(session: Session, campaign_id: int, today: date) -> date | None:
    """The next phase deadline from ``today`` (the last one when all have passed)."""
    deadlines = session.scalars(
        select(Phase.deadline).where(Phase.campaign_id == campaign_id).order_by(Phase.deadline)
    ).all()
    upcoming = [d for d in deadlines if d >= today]
    return upcoming[0] if upcoming else (deadlines[-1] if deadlines else None)


def targets_for(session: Session, campaign_id: int, cadre_id: int) -> list[TargetStatus]:
    """The cadre's assigned targets with status, appointment time and not-at-home count.

    The status is the fact layer's (:func:`storage.facts.target_statuses`): a target
    whose latest attempt is 电话未接通 or 约访 is still to visit.
    """
    targets = session.scalars(
        select(Target)
        .join(Assignment, Assignment.target_id == Target.id)
        .where(Assignment.campaign_id == campaign_id, Assignment.cadre_id == cadre_id)
        .order_by(Target.id)
    ).all()
    ids = [t.id for t in targets]
    visits: dict[int, list[Visit]] = {}
    if ids:
        rows = session.scalars(
            select(Visit)
            .where(Visit.campaign_id == campaign_id, Visit.target_id.in_(ids))
            .order_by(Visit.submitted_at)
        ).all()
        for v in rows:
            visits.setdefault(v.target_id, []).append(v)
    statuses = facts.target_statuses(session, campaign_id, None, ids) if ids else {}
    out = []
    for t in targets:
        own = visits.get(t.id, [])
        found = statuses.get(t.id)
        status = found.outcome if found else "todo"
        appointment = None
        if status == OUTCOME_APPOINTMENT:
            appointment = own[-1].appointment_at if own[-1].outcome == OUTCOME_APPOINTMENT else None
        out.append(
            TargetStatus(
                id=t.id,
                name=t.head_name,
                address=t.address,
                grid=t.grid,
                phone=t.phone,
                is_key=t.is_key,
                categories=tuple(t.categories or ()),
                status=status,
                appointment_at=appointment,
                not_home_count=sum(1 for v in own if v.outcome in NOT_HOME_OUTCOMES),
                missed_count=sum(1 for v in own if v.outcome == OUTCOME_PHONE_MISSED),
                kind=t.kind or "household",
            )
        )
    return out


def progress(
    session: Session, campaign_id: int, cadre: Cadre, deadline_date: date | None
) -> ProgressFigures:
    """The cadre's own 进度 from :func:`storage.facts.coverage` (households, plus a
    line per other target kind they are assigned), counted by one aggregate query
    (:func:`storage.facts.counts.coverage_counts`, the same figures)."""
    lines = coverage_counts(session, campaign_id, facts.cadre_scope(cadre))
    h = facts.of_kind(lines, TARGET_HOUSEHOLD)
    key_assigned = sum(c.key_assigned for c in lines)
    key_covered = sum(c.key_covered for c in lines)
    kinds = tuple(
        (TARGET_KIND_LABELS.get(c.kind, c.kind), c.covered, c.assigned)
        for c in lines
        if c.kind != TARGET_HOUSEHOLD
    )
    return ProgressFigures(
        visited=h.visited,
        phone=h.phone,
        assigned=h.assigned,
        key_left=key_assigned - key_covered,
        deadline=deadline_date,
        away=h.away,
        missed=h.missed,
        pending=h.pending,
        percent=h.percent,
        kinds=kinds,
    )


def target_by_id(session: Session, target_id: int) -> Target | None:
    """The target (household, village, …) with this id, None if it is gone."""
    return session.get(Target, target_id)


def targets_by_id(session: Session, ids: Collection[int]) -> dict[int, Target]:
    """The targets with these ids (one query), by id; ids that are gone are absent."""
    if not ids:
        return {}
    return {t.id: t for t in session.scalars(select(Target).where(Target.id.in_(sorted(ids))))}


def recent_visits(session: Session, cadre_id: int, since: datetime) -> list[Visit]:
    return list(
        session.scalars(
            select(Visit)
            .where(Visit.cadre_id == cadre_id, Visit.submitted_at >= since)
            .order_by(Visit.submitted_at.desc())
        ).all()
    )


def leaders_of(session: Session, unit_id: int) -> list[str]:
    """Userids of the leaders of ``unit_id``, else of the nearest parent unit that has some."""
    seen: set[int] = set()
    current: int | None = unit_id
    while current is not None and current not in seen:
        seen.add(current)
        found = session.scalars(
            select(Cadre.userid).where(
                Cadre.unit_id == current, Cadre.role == "leader", Cadre.active.is_(True)
            )
        ).all()
        if found:
            return list(found)
        current = session.scalar(select(Unit.parent_id).where(Unit.id == current))
    return []
