"""Job ``purge_inbound`` (daily): forget applied callbacks after the retention time.

Each applied callback keeps a row in ``inbound_messages`` with the reply it got, so a
WeCom retry is answered without applying it twice. Those replies carry phone numbers
and problem texts; a retry comes within seconds, so after ``[scheduler]
inbound_retention_days`` (default 30) the rows are only a liability and are deleted.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.config import Config
from scheduler.base import JobResult, local_today
from storage import callbacks
from storage.db import Session
from storage.runs import claim_run, finish_run

JOB = "purge_inbound"


def run(session: Session, now: datetime, config: Config, *, force: bool = False) -> JobResult:
    """Delete ``inbound_messages`` received more than the retention days before ``now``;
    once per local day (run key ``purge_inbound:<date>``)."""
    key = f"{JOB}:{local_today(now, config).isoformat()}"
    if not claim_run(session, key, JOB, now, force):
        return JobResult(JOB, skipped=(key,))
    days = config.scheduler.inbound_retention_days
    deleted = callbacks.purge_received_before(session, now - timedelta(days=days))
    note = f"{deleted} inbound message(s) older than {days} days deleted"
    finish_run(session, key, now, note)
    return JobResult(JOB, (key,), notes=(note,))
