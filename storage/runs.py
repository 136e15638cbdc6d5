"""Job run keys (``job_runs``) and the job store's stored next run times.

A run key names one period of one job (``digest:daily:2026-11-29``); claiming it
inserts its row, so a period runs once however many processes try. Nothing here
commits: the job's caller owns the unit of work.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import JobRun


def claim_run(session: Session, run_key: str, job: str, now: datetime, force: bool = False) -> bool:
    """Write the JobRun row for ``run_key``; False when that period already ran.

    The insert happens first, inside a savepoint: a concurrent claimer of the same key
    waits on the unique index and then gets False. With ``force`` the run is recorded
    under a distinct key (``<key>#force@<time>``) and always goes ahead.
    """
    key = f"{run_key}#force@{now.isoformat()}" if force else run_key
    try:
        with session.begin_nested():
            session.add(JobRun(run_key=key, job=job, started_at=now, summary=""))
            session.flush()
    except IntegrityError:
        return force
    return True


def finish_run(session: Session, run_key: str, now: datetime, summary: str) -> None:
    """Stamp the claimed run (if present under its plain key) as finished."""
    row = session.scalar(select(JobRun).where(JobRun.run_key == run_key))
    if row is not None:
        row.finished_at = now
        row.summary = summary[:2000]


def stored_next_run_times(engine: Engine, table: str) -> dict[str, float]:
    """Job id -> next run time (epoch seconds) in APScheduler's job store ``table``;
    empty when the table does not exist yet (no scheduler has run)."""
    if not inspect(engine).has_table(table):
        return {}
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT id, next_run_time FROM {table}"))
        return {r[0]: r[1] for r in rows if r[1] is not None}
