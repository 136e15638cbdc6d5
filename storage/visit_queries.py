"""Visit queries: a cadre's targets with their status, progress figures, recent visits.

Read-only helpers scoped to one campaign and one cadre (a cadre only ever sees the
targets assigned to them); the writes are in :mod:`storage.visits`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Assignment, Cadre, Phase, Target, Unit, Visit
from storage.vocab import (
    OUTCOME_APPOINTMENT,
    OUTCOME_AWAY,
    OUTCOME_PHONE,
    OUTCOME_PHONE_MISSED,
    OUTCOME_VISITED,
)

NOT_HOME_OUTCOMES = (OUTCOME_AWAY, OUTCOME_PHONE, OUTCOME_APPOINTMENT, OUTCOME_PHONE_MISSED)
# Outcomes that take a target off the to-visit list, best first: its status when it has one.
DONE_OUTCOMES = (OUTCOME_VISITED, OUTCOME_PHONE, OUTCOME_AWAY)
# Outcomes that leave it on the list; the latest one is its status.
PENDING_OUTCOMES = (OUTCOME_APPOINTMENT, OUTCOME_PHONE_MISSED)


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
    visited: int
    phone: int
    assigned: int
    key_left: int
    deadline: date | None
    away: int = 0
    missed: int = 0


def deadline(session: Session, campaign_id: int, today: date) -> date | None:
    """The next phase deadline from ``today`` (the last one when all have passed)."""
    deadlines = session.scalars(
        select(Phase.deadline).where(Phase.campaign_id == campaign_id).order_by(Phase.deadline)
    ).all()
    upcoming = [d for d in deadlines if d >= today]
    return upcoming[0] if upcoming else (deadlines[-1] if deadlines else None)


def targets_for(session: Session, campaign_id: int, cadre_id: int) -> list[TargetStatus]:
    """The cadre's assigned targets with status, appointment time and not-at-home count."""
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
    out = []
    for t in targets:
        own = visits.get(t.id, [])
        outcomes = {v.outcome for v in own}
        pending = [v for v in own if v.outcome in PENDING_OUTCOMES]
        status = next(
            (o for o in DONE_OUTCOMES if o in outcomes),
            pending[-1].outcome if pending else "todo",
        )
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


def progress(targets: Sequence[TargetStatus], deadline_date: date | None) -> ProgressFigures:
    """A cadre's coverage by each target's status: 入户走访, 电话联系 (a key target reached
    by phone), 不在家已登记 (never phoned: not 电话联系), 电话未接通 (still to visit)."""
    return ProgressFigures(
        visited=sum(1 for t in targets if t.status == OUTCOME_VISITED),
        phone=sum(1 for t in targets if t.status == OUTCOME_PHONE),
        away=sum(1 for t in targets if t.status == OUTCOME_AWAY),
        missed=sum(1 for t in targets if t.status == OUTCOME_PHONE_MISSED),
        assigned=len(targets),
        key_left=sum(
            1
            for t in targets
            if t.is_key and t.status not in (OUTCOME_VISITED, OUTCOME_PHONE, OUTCOME_AWAY)
        ),
        deadline=deadline_date,
    )


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
