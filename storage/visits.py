"""Visits repository: a cadre's targets with their status, saving visits and their problems.

Adds and queries, never commits (the caller's unit of work does). Everything is
scoped to one campaign and one cadre: a cadre only ever sees targets assigned to
them (targets they registered are assigned to them when registered).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage.models import (
    Assignment,
    Cadre,
    Phase,
    Problem,
    ProblemEvent,
    Target,
    Unit,
    Visit,
    VisitMedia,
)
from storage.vocab import (
    OUTCOME_APPOINTMENT,
    OUTCOME_AWAY,
    OUTCOME_PHONE,
    OUTCOME_VISITED,
)

NOT_HOME_OUTCOMES = (OUTCOME_AWAY, OUTCOME_PHONE, OUTCOME_APPOINTMENT)
# Which outcome a target's status shows when it has several visits (best first).
_STATUS_ORDER = (OUTCOME_VISITED, OUTCOME_PHONE, OUTCOME_AWAY, OUTCOME_APPOINTMENT)
OTHER = "其他"


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


@dataclass(frozen=True)
class ProgressFigures:
    visited: int
    phone: int
    assigned: int
    key_left: int
    deadline: date | None


@dataclass(frozen=True)
class NewProblem:
    """A problem to file; empty category means 其他 and a person must review it."""

    text: str
    kind: str
    source_question: str = ""
    category: str = ""
    category_alt: str = ""
    confidence: float = 0.0
    needs_review: bool = False


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
        status = next((o for o in _STATUS_ORDER if o in outcomes), "todo")
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
            )
        )
    return out


def progress(targets: Sequence[TargetStatus], deadline_date: date | None) -> ProgressFigures:
    """Coverage as the issue counts it: 已走访, 电话联系 (phone or away), the rest 未走访."""
    return ProgressFigures(
        visited=sum(1 for t in targets if t.status == OUTCOME_VISITED),
        phone=sum(1 for t in targets if t.status in (OUTCOME_PHONE, OUTCOME_AWAY)),
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


def register_target(
    session: Session, campaign_id: int, cadre: Cadre, name: str, address: str, phone: str
) -> Target:
    """A household not on the roster: added to the cadre's unit, assigned to them, flagged."""
    target = Target(
        head_name=name[:50],
        unit_id=cadre.unit_id,
        address=address[:200],
        phone=phone[:20],
        categories=[],
        is_key=False,
        registered_by_id=cadre.id,
        needs_review=True,
    )
    session.add(target)
    session.flush()
    session.add(Assignment(campaign_id=campaign_id, target_id=target.id, cadre_id=cadre.id))
    return target


def save_visit(
    session: Session,
    *,
    campaign_id: int,
    cadre: Cadre,
    target_id: int,
    template: str,
    outcome: str,
    answers: dict[str, Any],
    problems: Sequence[NewProblem],
    started_at: datetime,
    now: datetime,
    appointment_at: datetime | None = None,
    media_ids: Sequence[str] = (),
    latitude: float | None = None,
    longitude: float | None = None,
) -> Visit:
    """Add the visit, its problems (status 登记) and link the photos sent during it."""
    if not _assignment_id(session, campaign_id, target_id, cadre.id):
        raise PermissionError(f"target {target_id} is not assigned to cadre {cadre.id}")
    visit = Visit(
        campaign_id=campaign_id,
        target_id=target_id,
        cadre_id=cadre.id,
        template=template,
        outcome=outcome,
        answers=answers,
        appointment_at=appointment_at,
        latitude=latitude,
        longitude=longitude,
        started_at=started_at,
        submitted_at=now,
    )
    session.add(visit)
    session.flush()
    add_problems(session, visit, problems, now)
    if media_ids:
        session.execute(
            update(VisitMedia)
            .where(
                VisitMedia.cadre_id == cadre.id,
                VisitMedia.media_id.in_(list(media_ids)),
                VisitMedia.visit_id.is_(None),
            )
            .values(visit_id=visit.id)
        )
    return visit


def _assignment_id(session: Session, campaign_id: int, target_id: int, cadre_id: int) -> int:
    found = session.scalar(
        select(Assignment.id).where(
            Assignment.campaign_id == campaign_id,
            Assignment.target_id == target_id,
            Assignment.cadre_id == cadre_id,
        )
    )
    return found or 0


def add_problems(
    session: Session, visit: Visit, problems: Sequence[NewProblem], now: datetime
) -> list[Problem]:
    target = session.get(Target, visit.target_id)
    assert target is not None
    rows = []
    for p in problems:
        row = Problem(
            visit_id=visit.id,
            target_id=visit.target_id,
            found_by_id=visit.cadre_id,
            unit_id=target.unit_id,
            text=p.text,
            source_question=p.source_question[:64],
            kind=p.kind,
            category=p.category or OTHER,
            category_alt=p.category_alt or OTHER,
            confidence=p.confidence,
            needs_review=p.needs_review or not (p.category and p.category_alt),
            responsibility="town",
            status="registered",
            created_at=now,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    for row in rows:
        session.add(
            ProblemEvent(problem_id=row.id, actor_id=visit.cadre_id, action="register",
                         from_status="", to_status="registered", note="走访登记", at=now)
        )  # fmt: skip
    return rows


def amend_visit(
    session: Session,
    *,
    visit_id: int,
    cadre_id: int,
    answers: dict[str, Any],
    problems: Sequence[NewProblem],
    now: datetime,
    not_before: datetime,
) -> Visit:
    """Replace a visit's answers; its problems still only 登记 are replaced too.

    Raises PermissionError when the visit is not the cadre's or older than ``not_before``.
    """
    visit = session.get(Visit, visit_id)
    if visit is None or visit.cadre_id != cadre_id or visit.submitted_at < not_before:
        raise PermissionError(f"visit {visit_id} cannot be amended by cadre {cadre_id}")
    visit.answers = answers
    visit.amended_at = now
    untouched = session.scalars(
        select(Problem).where(Problem.visit_id == visit.id, Problem.status == "registered")
    ).all()
    kept_texts = {
        (p.text, p.kind)
        for p in session.scalars(
            select(Problem).where(Problem.visit_id == visit.id, Problem.status != "registered")
        ).all()
    }
    for row in untouched:
        session.execute(delete(ProblemEvent).where(ProblemEvent.problem_id == row.id))
        session.delete(row)
    session.flush()
    add_problems(session, visit, [p for p in problems if (p.text, p.kind) not in kept_texts], now)
    return visit


def add_media(
    session: Session,
    cadre_id: int,
    media_id: str,
    content: bytes | None,
    content_type: str,
    now: datetime,
) -> VisitMedia:
    """A photo received during a visit (linked to the visit when it is saved)."""
    row = VisitMedia(
        visit_id=None,
        cadre_id=cadre_id,
        media_id=media_id[:200],
        content_type=content_type[:50],
        content=content,
        received_at=now,
    )
    session.add(row)
    return row


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
