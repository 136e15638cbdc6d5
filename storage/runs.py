"""Job run keys (``job_runs``) and the job store's stored next run times.

A run key names one period of one job (``digest:daily:2026-11-29``); claiming it
inserts its row, so a period runs once however many processes try. Nothing here
commits: the job's caller owns the unit of work.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Engine, String, Table, bindparam, func, inspect, literal, select, text
from sqlalchemy.dialects import postgresql, sqlite
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


# Keys per INSERT: four parameters a row, far below every driver's limit.
CLAIM_CHUNK = 1000


def claim_runs(
    session: Session, run_keys: Iterable[str], job: str, now: datetime, force: bool = False
) -> set[str]:
    """Claim many run keys at once; returns those this call claimed (the others ran).

    One ``INSERT … ON CONFLICT (run_key) DO NOTHING RETURNING run_key`` per
    ``CLAIM_CHUNK`` keys and no savepoint: a key already claimed costs an index probe,
    not a failed statement, so a re-run the same day is cheap and holds no lock per key
    (PostgreSQL's lock table ran out with one savepoint a key). A concurrent claimer of
    the same key waits on the unique index and then gets nothing back for it. With
    ``force`` every key is recorded under ``<key>#force@<time>`` and counts as claimed.
    """
    keys = list(dict.fromkeys(run_keys))
    if not keys:
        return set()
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    suffix = f"#force@{now.isoformat()}" if force else ""
    claimed: set[str] = set()
    for start in range(0, len(keys), CLAIM_CHUNK):
        chunk = keys[start : start + CLAIM_CHUNK]
        if dialect == "postgresql":
            got = set(
                session.scalars(_claim_array(job, now), {"keys": [k + suffix for k in chunk]})
            )
        else:
            rows = [
                {"run_key": k + suffix, "job": job, "started_at": now, "summary": ""} for k in chunk
            ]
            stmt = (
                insert(JobRun)
                .values(rows)
                .on_conflict_do_nothing(index_elements=["run_key"])
                .returning(JobRun.run_key)
            )
            got = set(session.scalars(stmt))
        claimed.update(k for k in chunk if force or k + suffix in got)
    return claimed


def _claim_array(job: str, now: datetime) -> Any:
    """PostgreSQL: the chunk's keys as ONE array parameter (``unnest``). A VALUES list of
    1 000 rows was 4 000 bound parameters that SQLAlchemy compiled and psycopg parsed
    anew for every chunk: 18 of 27 s of a county's escalation (cProfile, 30 763 keys)."""
    table = cast(Table, JobRun.__table__)
    keys = func.unnest(bindparam("keys", type_=postgresql.ARRAY(String)))
    rows = select(
        keys,
        bindparam("job", job, type_=table.c.job.type),
        bindparam("now", now, type_=table.c.started_at.type),
        literal(""),
    )
    return (
        postgresql.insert(table)
        .from_select(["run_key", "job", "started_at", "summary"], rows)
        .on_conflict_do_nothing(index_elements=["run_key"])
        .returning(table.c.run_key)
    )


def finish_run(session: Session, run_key: str, now: datetime, summary: str) -> None:
    """Stamp the claimed run (if present under its plain key) as finished."""
    row = session.scalar(select(JobRun).where(JobRun.run_key == run_key))
    if row is not None:
        row.finished_at = now
        row.summary = summary[:2000]


def finish_runs(session: Session, summaries: dict[str, str], now: datetime) -> None:
    """:func:`finish_run` for many keys in one statement (key -> summary)."""
    if not summaries:
        return
    table = cast(Table, JobRun.__table__)
    stmt = (
        table.update()
        .where(table.c.run_key == bindparam("key"))
        .values(finished_at=bindparam("at"), summary=bindparam("text"))
    )
    session.connection().execute(
        stmt, [{"key": k, "at": now, "text": v[:2000]} for k, v in summaries.items()]
    )


def stored_next_run_times(engine: Engine, table: str) -> dict[str, float]:
    """Job id -> next run time (epoch seconds) in APScheduler's job store ``table``;
    empty when the table does not exist yet (no scheduler has run)."""
    if not inspect(engine).has_table(table):
        return {}
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT id, next_run_time FROM {table}"))
        return {r[0]: r[1] for r in rows if r[1] is not None}
