"""Run keys: a period is claimed once; --force runs again under a key of its own."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.models import JobRun
from storage.runs import claim_run, claim_runs, finish_run, finish_runs, stored_next_run_times
from tests.support.clock import FROZEN_NOW as NOW


def test_a_period_is_claimed_once_and_force_goes_ahead(session):
    assert claim_run(session, "digest:daily:2026-11-23", "digest_daily", NOW) is True
    assert claim_run(session, "digest:daily:2026-11-23", "digest_daily", NOW) is False
    assert claim_run(session, "digest:daily:2026-11-23", "digest_daily", NOW, force=True)
    keys = sorted(session.scalars(select(JobRun.run_key)))
    assert keys == [
        "digest:daily:2026-11-23",
        f"digest:daily:2026-11-23#force@{NOW.isoformat()}",
    ]


def test_finish_stamps_the_plain_key_only(session):
    claim_run(session, "reminder:1:3", "reminders", NOW)
    later = NOW + timedelta(minutes=1)
    finish_run(session, "reminder:1:3", later, "x" * 3000)
    finish_run(session, "reminder:9:9", later, "never claimed")  # no row, no error
    row = session.scalar(select(JobRun).where(JobRun.run_key == "reminder:1:3"))
    assert row.finished_at == later
    assert len(row.summary) == 2000
    assert session.scalar(select(JobRun).where(JobRun.run_key == "reminder:9:9")) is None


def test_no_job_store_table_means_no_stored_times(engine):
    assert stored_next_run_times(engine, "apscheduler_jobs_absent") == {}


def test_many_keys_are_claimed_in_one_statement_without_savepoints(session):
    from sqlalchemy import event

    statements: list[str] = []

    def seen(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    keys = [f"escalation:followup:{n}" for n in range(1500)]
    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        first = claim_runs(session, keys[:700], "escalation", NOW)
        second = claim_runs(session, keys, "escalation", NOW)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert first == set(keys[:700])
    assert second == set(keys[700:])  # the first 700 ran already
    assert claim_runs(session, keys, "escalation", NOW) == set()
    assert not [s for s in statements if "SAVEPOINT" in s.upper()]
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 3  # one INSERT per 1000 keys: 1 + 2
    forced = claim_runs(session, keys[:2], "escalation", NOW, force=True)
    assert forced == set(keys[:2])
    assert session.scalar(
        select(JobRun.run_key).where(JobRun.run_key == f"{keys[0]}#force@{NOW.isoformat()}")
    )


def test_finish_runs_stamps_many_keys(session):
    claim_runs(session, ["a:1", "a:2"], "a", NOW)
    later = NOW + timedelta(minutes=2)
    finish_runs(session, {"a:1": "one", "a:2": "two", "a:3": "never claimed"}, later)
    rows = {r.run_key: r for r in session.scalars(select(JobRun))}
    assert set(rows) == {"a:1", "a:2"}
    assert rows["a:1"].summary == "one" and rows["a:2"].finished_at == later
