"""Run keys: a period is claimed once; --force runs again under a key of its own."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.models import JobRun
from storage.runs import claim_run, finish_run, stored_next_run_times
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
