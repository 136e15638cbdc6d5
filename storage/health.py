"""The queries behind /readyz and /metrics: read-only, cheap, and across every process.

Everything an operator watches that another process changes (the outbox worker's
sends and errcodes, the scheduler's lease and job runs) is read from the database at
the moment of the probe or scrape, so the figures are right whichever host or worker
answers. Each function reads in the caller's session or connection and commits
nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from storage import schema
from storage.leases import SCHEDULER_LEASE
from storage.models import JobRun, Lease, OutboxMessage

_ERRCODE = re.compile(r"errcode (-?\d+)")
UNSENT = ("pending", "failed")


def ping(engine: Engine) -> None:
    """One ``SELECT 1``; raises when the database does not answer."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


@dataclass(frozen=True)
class MigrationState:
    current: str | None
    head: str

    @property
    def is_current(self) -> bool:
        return self.current == self.head


@cache
def shipped_head() -> str:
    """The newest migration shipped with this code (read from the scripts once)."""
    head = ScriptDirectory(str(schema.MIGRATIONS)).get_current_head()
    assert head is not None, "no migrations found"
    return head


def migration_state(engine: Engine) -> MigrationState:
    """The database's Alembic revision beside the newest one shipped."""
    return MigrationState(schema.current_revision(engine), shipped_head())


@dataclass(frozen=True)
class OutboxHealth:
    pending: int  # waiting to be sent, due or backing off
    failed: int  # given up on (``minqing outbox --retry`` puts them back)
    due: int  # pending rows whose time has come
    lag_seconds: float  # how long the oldest due row has been due (0 when none)


def outbox_health(session: Session, now: datetime) -> OutboxHealth:
    """Outbox depth and lag at ``now``. A due row is pending with ``next_attempt_at``
    at or before now (a row a worker has claimed is moved into the future, so only
    rows no sender is working on count); its lag is ``now - next_attempt_at``."""
    counts = dict(
        session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.status.in_(UNSENT))
            .group_by(OutboxMessage.status)
        ).all()
    )
    due_count, oldest = session.execute(
        select(func.count(), func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now
        )
    ).one()
    lag = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return OutboxHealth(counts.get("pending", 0), counts.get("failed", 0), due_count, lag)


def unsent_errcodes(session: Session) -> dict[str, int]:
    """WeCom errcodes on the last attempt of every unsent (pending or failed) row:
    errcode -> rows. A row whose last error carried no errcode (a network error, a
    timeout) counts under ``"network"``. Rows sent in the end drop out, so this is
    what is wrong now, not a history."""
    rows = session.scalars(
        select(OutboxMessage.last_error).where(
            OutboxMessage.status.in_(UNSENT), OutboxMessage.last_error != ""
        )
    )
    seen: Counter[str] = Counter()
    for error in rows:
        match = _ERRCODE.search(error)
        seen[match.group(1) if match else "network"] += 1
    return dict(seen)


@dataclass(frozen=True)
class LeaseState:
    holder: str
    expires_at: datetime


def scheduler_lease(session: Session) -> LeaseState | None:
    """The scheduler lease row as stored (expired or not); None before any scheduler ran."""
    row = session.execute(
        select(Lease.holder, Lease.expires_at).where(Lease.name == SCHEDULER_LEASE)
    ).first()
    return None if row is None else LeaseState(row.holder, row.expires_at)


def last_success_per_job(session: Session) -> dict[str, datetime]:
    """Job name -> when its latest run finished. A run that raised rolled its row back
    with it, so a finished row is a success."""
    rows = session.execute(
        select(JobRun.job, func.max(JobRun.finished_at))
        .where(JobRun.finished_at.is_not(None))
        .group_by(JobRun.job)
    ).all()
    return {job: finished for job, finished in rows if finished is not None}
