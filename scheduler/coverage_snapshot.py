"""Job ``coverage_snapshot`` (every minute): count the active campaign's coverage cells
and the problems by unit and status once, for the 进度 of large units
(:mod:`storage.facts.snapshot` says why and how).

No run key: each run replaces the whole snapshot, so a double firing only counts twice.
"""

from __future__ import annotations

from datetime import datetime

from bot.config import Config
from bot.ledger.clocks import overdue_thresholds
from scheduler.base import JobResult
from storage.campaigns import find_active_campaign
from storage.db import Session
from storage.facts import snapshot

JOB = "coverage_snapshot"


def run(session: Session, now: datetime, config: Config, *, force: bool = False) -> JobResult:
    """Replace the snapshot with the cells counted at ``now``."""
    campaign = find_active_campaign(session)
    if campaign is None:
        return JobResult(JOB, notes=("no active campaign",))
    cells = snapshot.refresh(session, campaign.id, now)
    rows = snapshot.refresh_problems(session, overdue_thresholds(now, config.ledger), now)
    return JobResult(JOB, notes=(f"{cells} cell(s), {rows} problem row(s) counted",))
