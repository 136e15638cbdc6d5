"""Nudges about visits in progress (issue 5): idle drafts and agreed appointments.

Run every 10 minutes.
- A conversation left mid-visit (dialog state other than ``idle``) for
  ``scheduler.draft_idle_hours`` (default 12) gets one reminder; ``reminded_at`` is
  set with a conditional UPDATE on the ``updated_at`` the job saw, so a cadre who has
  just continued is not nudged. Run key ``draft:<session id>:<updated_at epoch>``.
- A 约访 (visit outcome ``appointment``) reminds its cadre from 30 minutes before the
  agreed time until 2 hours after, once (``appointment:<visit id>``), unless the
  household has been contacted since.
Both are private messages to the cadre.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.config import Config
from scheduler import prompts
from scheduler.base import JobResult, claim, finish, local_now
from scheduler.sending import Spreader, send_personal
from scheduler.stats import CONTACT_OUTCOMES, UnitTree
from storage.models import Cadre, DialogSession, Target, Visit
from storage.outbox import text_payload
from storage.vocab import OUTCOME_APPOINTMENT

JOB = "visit_reminders"
IDLE_STATE = "idle"
APPOINTMENT_LEAD = timedelta(minutes=30)
APPOINTMENT_LATE = timedelta(hours=2)


def run(session: Session, now: datetime, config: Config, *, force: bool = False) -> JobResult:
    """Queue draft and appointment reminders that are due at ``now``."""
    spreader = Spreader(session, now)
    claimed: list[str] = []
    sent = 0

    idle_since = now - timedelta(hours=config.scheduler.draft_idle_hours)
    drafts = session.execute(
        select(DialogSession.id, DialogSession.userid, DialogSession.updated_at).where(
            DialogSession.state != IDLE_STATE, DialogSession.updated_at <= idle_since
        )
    ).all()
    for draft_id, userid, updated_at in drafts:
        key = f"draft:{draft_id}:{int(updated_at.timestamp())}"
        if not claim(session, key, JOB, now, force):
            continue
        stmt = (
            update(DialogSession)
            .where(DialogSession.id == draft_id, DialogSession.updated_at == updated_at)
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )
        if session.execute(stmt).rowcount != 1:  # type: ignore[attr-defined]
            continue  # the cadre carried on meanwhile
        hours = int((now - updated_at).total_seconds() // 3600)
        sent += send_personal(
            session, spreader, [userid], text_payload(prompts.draft_reminder(hours)), now
        )
        claimed.append(key)
        finish(session, key, now, userid)

    tree = UnitTree.load(session)
    due = session.execute(
        select(Visit, Target, Cadre)
        .join(Target, Target.id == Visit.target_id)
        .join(Cadre, Cadre.id == Visit.cadre_id)
        .where(
            Visit.outcome == OUTCOME_APPOINTMENT,
            Visit.appointment_at.is_not(None),
            Visit.appointment_at <= now + APPOINTMENT_LEAD,
            Visit.appointment_at >= now - APPOINTMENT_LATE,
            Cadre.active,
        )
        .order_by(Visit.id)
    ).all()
    for visit, target, cadre in due:
        contacted = session.scalar(
            select(Visit.id).where(
                Visit.campaign_id == visit.campaign_id,
                Visit.target_id == visit.target_id,
                Visit.outcome.in_(CONTACT_OUTCOMES),
                Visit.submitted_at > visit.submitted_at,
            )
        )
        if contacted is not None:
            continue
        key = f"appointment:{visit.id}"
        if not claim(session, key, JOB, now, force):
            continue
        assert visit.appointment_at is not None
        when = local_now(visit.appointment_at, config).strftime("%m月%d日 %H:%M")
        label = prompts.target_label(
            target.head_name, tree.name(target.unit_id), target.grid, target.address
        )
        text = prompts.appointment_reminder(cadre.name, when, label)
        sent += send_personal(session, spreader, [cadre.userid], text_payload(text), now)
        claimed.append(key)
        finish(session, key, now, cadre.userid)
    return JobResult(JOB, tuple(claimed), (), sent)
