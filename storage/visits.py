"""Visits repository (writes): registering a household, saving and amending visits,
their problems and photos. Adds, never commits (the caller's unit of work does).

Reads (a cadre's targets with status, progress, recent visits) are in
:mod:`storage.visit_queries`. Targets a cadre registers are assigned to them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage.models import (
    Assignment,
    Cadre,
    Problem,
    ProblemEvent,
    Target,
    Unit,
    Visit,
    VisitMedia,
)
from storage.problem_intake import (
    ClassificationLike,
    RaisedItem,
    create_from_visit,
    handle_at_the_door,
)
from storage.safe_text import one_line
from storage.vocab import OUTCOME_APPOINTMENT, TARGET_VILLAGE

Classify = Callable[[str], ClassificationLike]
VILLAGE_KINDS = ("村", "社区")  # the unit kinds whose village form (003 附件1) is filled


def register_target(
    session: Session, campaign_id: int, cadre: Cadre, name: str, address: str, phone: str
) -> Target:
    """A household not on the roster: added to the cadre's unit, assigned to them, flagged.

    Name and address are stored on one line (no line breaks or invisible marks), as the
    roster import requires of its names.
    """
    target = Target(
        head_name=one_line(name).strip()[:50],
        unit_id=cadre.unit_id,
        address=one_line(address).strip()[:200],
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


def village_target(session: Session, campaign_id: int, cadre: Cadre) -> Target | None:
    """The cadre's own 村/社区 as a target of kind 'village', for forms filled once per
    village (seed 003 附件1): the unit's village target (from the roster, or added here
    the first time), assigned to the cadre. A village target is never a household: it
    is not in the household picker, 进度 or the household tables. None when no unit
    above the cadre is a 村/社区.
    """
    unit = session.get(Unit, cadre.unit_id)
    while unit is not None and unit.kind not in VILLAGE_KINDS:
        unit = unit.parent
    if unit is None:
        return None
    target = session.scalar(
        select(Target)
        .where(Target.unit_id == unit.id, Target.kind == TARGET_VILLAGE)
        .order_by(Target.id)
        .limit(1)
    )
    if target is None:
        target = Target(
            head_name=unit.name[:50],
            unit_id=unit.id,
            address=f"{unit.name}{'村委会' if unit.kind == '村' else '居委会'}"[:200],
            categories=[],
            is_key=False,
            kind=TARGET_VILLAGE,
        )
        session.add(target)
        session.flush()
    if not _assignment_id(session, campaign_id, target.id, cadre.id):
        session.add(Assignment(campaign_id=campaign_id, target_id=target.id, cadre_id=cadre.id))
        session.flush()
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
    problems: Sequence[RaisedItem],
    classify: Classify,
    started_at: datetime,
    now: datetime,
    appointment_at: datetime | None = None,
    media_ids: Sequence[str] = (),
    latitude: float | None = None,
    longitude: float | None = None,
) -> tuple[Visit, list[Problem]]:
    """Add the visit, its problems (status 登记, through the ledger's
    :func:`storage.problems.create_from_visit`) and link the photos sent during it.

    Returns the visit and the problems it raised. Raises PermissionError when the
    target is not assigned to the cadre.
    """
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
    raised = create_from_visit(session, visit, problems, classify, now)
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
    return visit, raised


def _assignment_id(session: Session, campaign_id: int, target_id: int, cadre_id: int) -> int:
    found = session.scalar(
        select(Assignment.id).where(
            Assignment.campaign_id == campaign_id,
            Assignment.target_id == target_id,
            Assignment.cadre_id == cadre_id,
        )
    )
    return found or 0


@dataclass(frozen=True)
class Amended:
    """What amending a visit did to its problems: ``new`` were filed now, ``kept`` were
    already filed and are still raised (same number, same category and history)."""

    visit: Visit
    new: list[Problem]
    kept: list[Problem]


def amend_visit(
    session: Session,
    *,
    visit_id: int,
    cadre_id: int,
    answers: dict[str, Any],
    problems: Sequence[RaisedItem],
    classify: Classify,
    now: datetime,
    not_before: datetime,
    outcome: str = "",
    appointment_at: datetime | None = None,
) -> Amended:
    """Replace a visit's answers and bring its problems in line with them.

    ``outcome`` (when given) is the visit's outcome after the change — an unanswered
    call amended to answered is ``phone`` from now on; an amended 约访 takes
    ``appointment_at`` as its new time.

    A problem still raised (same text and kind) is kept as it is — its number, a
    corrected category, its history. One no longer raised is deleted while still only
    登记; once in the workflow (交办 or later) it stays. The rest are filed new.
    Raises PermissionError when the visit is not the cadre's or older than ``not_before``.
    """
    visit = session.get(Visit, visit_id)
    if visit is None or visit.cadre_id != cadre_id or visit.submitted_at < not_before:
        raise PermissionError(f"visit {visit_id} cannot be amended by cadre {cadre_id}")
    if outcome == OUTCOME_APPOINTMENT and appointment_at is not None:
        visit.appointment_at = appointment_at
    elif visit.outcome != OUTCOME_APPOINTMENT:
        visit.answers = answers
    if outcome and visit.outcome != OUTCOME_APPOINTMENT:
        visit.outcome = outcome
    visit.amended_at = now
    raised = {(p.text.strip(), p.kind) for p in problems}
    existing = session.scalars(
        select(Problem).where(Problem.visit_id == visit.id).order_by(Problem.id)
    ).all()
    kept = []
    for row in existing:
        if (row.text, row.kind) in raised or row.status != "registered":
            kept.append(row)
            continue
        session.execute(delete(ProblemEvent).where(ProblemEvent.problem_id == row.id))
        session.delete(row)
    session.flush()
    on_file = {(row.text, row.kind) for row in kept}
    handling = {(p.text.strip(), p.kind): p.handling for p in problems}
    for row in kept:  # now marked 当场解决/当场解释 in the amended answers
        handle_at_the_door(session, row, handling.get((row.text, row.kind), ""), now)
    session.flush()
    fresh = [p for p in problems if (p.text.strip(), p.kind) not in on_file]
    new = create_from_visit(session, visit, fresh, classify, now)
    return Amended(visit, new, [row for row in kept if (row.text, row.kind) in raised])


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
