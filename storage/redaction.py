"""Retention: a closed campaign's personal texts are redacted after a while.

``minqing campaign close`` stamps ``campaigns.closed_at``. ``[campaign]
redact_after_days`` (default 365) later, the daily ``redact_closed`` job calls
:func:`redact_campaign`: the free text of its visits' answers (names, addresses,
phones, anything typed), their locations and photos, and its problems' texts,
notes and history notes are replaced or removed. What the official tables count
stays: outcomes, dates, cadres, targets, choice answers and numbers, problem
kinds, categories, statuses and deadlines (storage.facts reads nothing else), so
every total is the same after as before. ``campaigns.redacted_at`` records it.
Repositories never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from storage import scrub
from storage.models import Assignment, Campaign, Problem, ProblemEvent, Visit, VisitMedia

BATCH = 500


@dataclass(frozen=True)
class Redacted:
    campaign_id: int
    visits: int
    photos: int
    problems: int


def close_campaign(session: Session, campaign: Campaign, now: datetime) -> None:
    """Mark ``campaign`` closed (no longer active) at ``now``; a second close keeps the first time."""
    campaign.active = False
    if campaign.closed_at is None:
        campaign.closed_at = now


def due(session: Session, now: datetime, after_days: int) -> list[Campaign]:
    """Closed campaigns not yet redacted whose closing is ``after_days`` or more ago."""
    cutoff = now - timedelta(days=after_days)
    return list(
        session.scalars(
            select(Campaign)
            .where(
                Campaign.closed_at.is_not(None),
                Campaign.closed_at <= cutoff,
                Campaign.redacted_at.is_(None),
            )
            .order_by(Campaign.id)
        )
    )


def _problems_of(campaign_id: int):  # type: ignore[no-untyped-def]
    """Problems found in the campaign's visits, or (no visit) about its targets."""
    visits = select(Visit.id).where(Visit.campaign_id == campaign_id)
    targets = select(Assignment.target_id).where(Assignment.campaign_id == campaign_id)
    return select(Problem.id).where(
        or_(
            Problem.visit_id.in_(visits),
            Problem.visit_id.is_(None) & Problem.target_id.in_(targets),
        )
    )


def redact_campaign(session: Session, campaign: Campaign, now: datetime) -> Redacted:
    """Redact ``campaign``'s personal texts (see the module docstring); flushes only."""
    visits = 0
    last_id = 0
    while True:
        rows = session.execute(
            select(Visit.id, Visit.answers)
            .where(Visit.campaign_id == campaign.id, Visit.id > last_id)
            .order_by(Visit.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        for visit_id, answers in rows:
            session.execute(
                update(Visit)
                .where(Visit.id == visit_id)
                .values(answers=scrub.redact_answers(answers or {}), latitude=None, longitude=None)
                .execution_options(synchronize_session=False)
            )
        visits += len(rows)
        last_id = rows[-1][0]
    campaign_visits = select(Visit.id).where(Visit.campaign_id == campaign.id)
    photos = session.execute(
        delete(VisitMedia)
        .where(VisitMedia.visit_id.in_(campaign_visits))
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    problem_ids = _problems_of(campaign.id)
    problems = session.execute(
        update(Problem)
        .where(Problem.id.in_(problem_ids))
        .values(text=scrub.REDACTED, closing_note="", extension_reason="")
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.execute(
        update(ProblemEvent)
        .where(ProblemEvent.problem_id.in_(problem_ids))
        .values(note="")
        .execution_options(synchronize_session=False)
    )
    campaign.redacted_at = now
    session.flush()
    return Redacted(campaign.id, visits, photos or 0, problems or 0)
