"""约访 (appointment) visits whose agreed time is near, for the reminder job."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Assignment, Cadre, Target, Visit
from storage.vocab import OUTCOME_APPOINTMENT


def due_between(
    session: Session, earliest: datetime, latest: datetime
) -> list[tuple[Visit, Target, Cadre]]:
    """约访 visits of active cadres agreed for a time in ``[earliest, latest]``, with
    their household and cadre, by visit id."""
    rows = session.execute(
        select(Visit, Target, Cadre)
        .join(Target, Target.id == Visit.target_id)
        .join(Cadre, Cadre.id == Visit.cadre_id)
        .where(
            Visit.outcome == OUTCOME_APPOINTMENT,
            Visit.appointment_at.is_not(None),
            Visit.appointment_at <= latest,
            Visit.appointment_at >= earliest,
            Cadre.active,
        )
        .order_by(Visit.id)
    ).all()
    return [(visit, target, cadre) for visit, target, cadre in rows]


def still_open(session: Session, visit: Visit) -> bool:
    """True while ``visit`` is the household's latest visit in its campaign and the
    household is still assigned to that cadre (else the appointment is moot)."""
    later = session.scalar(
        select(Visit.id).where(
            Visit.campaign_id == visit.campaign_id,
            Visit.target_id == visit.target_id,
            Visit.submitted_at > visit.submitted_at,
        )
    )
    if later is not None:
        return False
    assigned = session.scalar(
        select(Assignment.id).where(
            Assignment.campaign_id == visit.campaign_id,
            Assignment.target_id == visit.target_id,
            Assignment.cadre_id == visit.cadre_id,
        )
    )
    return assigned is not None
