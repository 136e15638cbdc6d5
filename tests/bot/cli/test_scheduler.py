"""`minqing run-job` and `minqing jobs`."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import cli
from storage.models import JobRun
from tests.support.outbox import outbox


def _run(config_file, *args):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["--config", str(config_file), *args])


def test_run_job_runs_once_per_period_unless_forced(sessions, sconfig_file, town):
    first = _run(sconfig_file, "run-job", "reminders", "--now", "2026-11-23T17:00")
    assert first.exit_code == 0, first.output
    assert "reminders: 1 run(s), 5 message(s) queued" in first.output
    second = _run(sconfig_file, "run-job", "reminders", "--now", "2026-11-23T18:00")
    assert second.exit_code == 0 and "already ran for this period" in second.output
    forced = _run(sconfig_file, "run-job", "reminders", "--now", "2026-11-23T18:00", "--force")
    assert "5 message(s) queued" in forced.output
    with sessions() as s:
        keys = sorted(s.scalars(select(JobRun.run_key)))
        assert len(outbox(s)) == 10
    assert keys[0] == f"reminder:{town.phase_visit_id}:3"
    assert keys[1].startswith(f"reminder:{town.phase_visit_id}:3#force@2026-11-23T18:00:00+08:00")


def test_run_job_each_job_by_name(sessions, sconfig_file, town):
    for name in (
        "review",
        "digest_daily",
        "digest_weekly",
        "digest_halfmonth",
        "escalation",
        "visit_reminders",
    ):
        result = _run(sconfig_file, "run-job", name, "--now", "2026-11-23T20:00:00+08:00")
        assert result.exit_code == 0, result.output
        assert f"{name}: " in result.output and "message(s) queued" in result.output
    with sessions() as s:
        assert {r.channel for r in outbox(s)} == {"message", "robot", "appchat"}


def test_run_job_refuses_unknown_names_and_bad_times(sconfig_file, town):
    unknown = _run(sconfig_file, "run-job", "nope")
    assert unknown.exit_code == 2 and "known: reminders, review" in unknown.output
    bad = _run(sconfig_file, "run-job", "reminders", "--now", "yesterday")
    assert bad.exit_code == 2 and "not an ISO date-time" in bad.output


def test_jobs_lists_every_job_with_its_next_run(sconfig_file):
    result = _run(sconfig_file, "jobs")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == [
        "reminders",
        "review",
        "digest_daily",
        "digest_weekly",
        "digest_halfmonth",
        "escalation",
        "visit_reminders",
        "visit_media",
        "coverage_snapshot",
        "purge_inbound",
        "redact_closed",
    ]
    assert "day_of_week=mon hour=8 minute=30" in lines[1] and "(computed)" in lines[1]
    assert "grace=600s" in lines[0]
