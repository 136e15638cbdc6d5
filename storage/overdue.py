"""Problems past a deadline, for the escalation job: overdue, never assigned, not followed up."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.facts.scores import CLOSED
from storage.models import Cadre, Problem

SOLVED_WITHOUT_FOLLOWUP = ("solved", "explained")


def past_deadline(session: Session, now: datetime) -> list[Problem]:
    """Problems whose deadline passed before ``now`` and that are not closed, by id."""
    return list(
        session.scalars(
            select(Problem)
            .where(
                Problem.deadline.is_not(None),
                Problem.deadline < now,
                Problem.status.not_in(CLOSED),
            )
            .order_by(Problem.id)
        )
    )


def never_assigned(session: Session, registered_before: datetime) -> list[Problem]:
    """Problems still 登记 (``registered``) that were created before ``registered_before``."""
    return list(
        session.scalars(
            select(Problem)
            .where(Problem.status == "registered", Problem.created_at < registered_before)
            .order_by(Problem.id)
        )
    )


def followup_due(session: Session, closed_before: datetime) -> list[tuple[Problem, Cadre]]:
    """Solved or explained problems closed at or before ``closed_before`` and not yet
    followed up, each with the cadre who found it (active or not), by problem id."""
    rows = session.execute(
        select(Problem, Cadre)
        .join(Cadre, Cadre.id == Problem.found_by_id)
        .where(
            Problem.status.in_(SOLVED_WITHOUT_FOLLOWUP),
            Problem.closed_at.is_not(None),
            Problem.closed_at <= closed_before,
            Problem.followed_up_at.is_(None),
        )
        .order_by(Problem.id)
    ).all()
    return [(problem, cadre) for problem, cadre in rows]
