"""Job ``redact_closed`` (daily): redact closed campaigns' personal texts when due.

A campaign closed (``minqing campaign close``) at least ``[campaign]
redact_after_days`` (default 365) ago has the free text of its answers and its
problem texts redacted (storage.redaction); the official tables' totals stay the
same. Each redaction leaves an audit entry (``campaign_redacted``).
"""

from __future__ import annotations

from datetime import datetime

from bot.config import Config
from scheduler.base import JobResult, local_today
from storage import audit, redaction
from storage.db import Session
from storage.runs import claim_run, finish_run

JOB = "redact_closed"


def run(session: Session, now: datetime, config: Config, *, force: bool = False) -> JobResult:
    """Redact every campaign due; once per local day (run key ``redact_closed:<date>``)."""
    key = f"{JOB}:{local_today(now, config).isoformat()}"
    if not claim_run(session, key, JOB, now, force):
        return JobResult(JOB, skipped=(key,))
    days = config.campaign.redact_after_days
    notes = []
    for campaign in redaction.due(session, now, days):
        done = redaction.redact_campaign(session, campaign, now)
        detail = {"visits": done.visits, "photos": done.photos, "problems": done.problems}
        audit.record(
            session, now, "scheduler", audit.CAMPAIGN_REDACTED, f"campaign:{campaign.id}", detail
        )
        notes.append(
            f"campaign {campaign.id} redacted ({done.visits} visits, {done.problems} problems)"
        )
    note = "; ".join(notes) or f"no closed campaign due ({days} days after closing)"
    finish_run(session, key, now, note)
    return JobResult(JOB, (key,), notes=(note,))
