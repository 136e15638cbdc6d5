"""The registry's schedule and misfire rules, and APScheduler honouring them after downtime."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from bot import config as config_mod
from bot.clock import wall_now
from bot.runtime import Runtime
from scheduler import registry
from scheduler.runner import JOB_REF, JOBSTORE_TABLE, Runner, sync_jobs
from storage.models import JobRun, ReviewDraw
from tests.support.clock import FROZEN_NOW
from tests.support.config import config_dict
from tests.support.db import wait_for
from tests.support.town import groups_section


def test_schedule_and_misfire_settings_come_from_config(db_url):
    raw = config_dict(
        db_url,
        scheduler={
            "review_day_of_week": "fri",
            "review_time": "16:00",
            "daily_digest_time": "21:15",
        },
    )
    jobs = registry.build(config_mod.from_dict(raw, environ={}), environ={})
    assert set(jobs) == {
        "reminders",
        "review",
        "digest_daily",
        "digest_weekly",
        "digest_halfmonth",
        "escalation",
        "visit_media",
        "visit_reminders",
        "coverage_snapshot",
        "purge_inbound",
        "redact_closed",
    }
    assert dict(jobs["review"].schedule) == {"day_of_week": "fri", "hour": 16, "minute": 0}
    assert (
        jobs["digest_daily"].schedule["hour"] == 21
        and jobs["digest_daily"].schedule["minute"] == 15
    )
    # A missed weekly draw runs once when the scheduler is back, however long it was down.
    assert jobs["review"].coalesce and jobs["review"].misfire_grace_time == 7 * 24 * 3600
    assert jobs["digest_daily"].coalesce and jobs["digest_weekly"].coalesce
    # A reminder that is more than ten minutes late is not sent.
    assert jobs["reminders"].misfire_grace_time == 600
    assert jobs["escalation"].misfire_grace_time == 600
    # The snapshot for large units' 进度 is counted every minute; a late one is dropped.
    assert dict(jobs["coverage_snapshot"].schedule) == {"minute": "*"}
    assert jobs["coverage_snapshot"].misfire_grace_time == 60


def test_an_unknown_time_zone_is_a_config_error(db_url):
    raw = config_dict(db_url, campaign={"timezone": "Mars/Base"})
    with pytest.raises(config_mod.ConfigError, match="campaign.timezone 'Mars/Base'"):
        config_mod.from_dict(raw, environ={})
    old = config_dict(db_url, scheduler={"timezone": "Asia/Beijing"})
    with pytest.raises(config_mod.ConfigError, match="scheduler.timezone 'Asia/Beijing'"):
        config_mod.from_dict(old, environ={})


def test_the_old_scheduler_timezone_key_still_works_with_a_deprecation_line(db_url):
    old = config_mod.from_dict(config_dict(db_url, scheduler={"timezone": "UTC"}), environ={})
    assert old.campaign.timezone == "UTC"
    assert any("scheduler.timezone is deprecated" in line for line in old.deprecations)
    both = config_dict(db_url, scheduler={"timezone": "UTC"}, campaign={"timezone": "Asia/Urumqi"})
    assert config_mod.from_dict(both, environ={}).campaign.timezone == "Asia/Urumqi"
    new = config_mod.from_dict(config_dict(db_url, campaign={"timezone": "UTC"}), environ={})
    assert new.campaign.timezone == "UTC" and new.deprecations == ()


def test_the_test_heartbeat_job_exists_only_with_its_flag(db_url):
    config = config_mod.from_dict(config_dict(db_url), environ={})
    assert "tick" not in registry.build(config, environ={})
    tick = registry.build(config, environ={registry.TEST_JOB_ENV: "2"})["tick"]
    assert tick.describe_schedule() == "every 2 s"


def test_triggers_fire_at_local_time(db_url):
    config = config_mod.from_dict(config_dict(db_url), environ={})
    trigger = registry.build(config, environ={})["review"].trigger("Asia/Shanghai")
    nxt = trigger.get_next_fire_time(None, FROZEN_NOW)  # Monday 17:00 in Shanghai
    assert nxt == datetime(2026, 11, 30, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def _pretend_downtime(runtime: Runtime, jobs, missed: dict[str, timedelta]) -> None:  # type: ignore[no-untyped-def]
    """Store the jobs as a scheduler that died ``missed`` ago would have left them."""
    tz = ZoneInfo("Asia/Shanghai")
    sched = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=runtime.engine, tablename=JOBSTORE_TABLE)},
        timezone=tz,
    )
    sched.start(paused=True)
    sync_jobs(sched, jobs, "Asia/Shanghai")
    sched.remove_jobstore("default", shutdown=False)
    sched.shutdown(wait=False)
    # Move the stored next run times into the past, with no scheduler running.
    store = SQLAlchemyJobStore(engine=runtime.engine, tablename=JOBSTORE_TABLE)
    store.start(BackgroundScheduler(timezone=tz), "default")
    real_now = wall_now()  # APScheduler fires on the machine's clock, not the campaign's
    for name, ago in missed.items():
        job = store.lookup_job(name)
        job._modify(next_run_time=real_now - ago)
        store.update_job(job)


@pytest.fixture
def frozen_runtime(db_url):  # type: ignore[no-untyped-def]
    raw = config_dict(db_url)
    raw["groups"] = groups_section()
    rt = Runtime.from_config(config_mod.from_dict(raw, environ={}), clock=lambda: FROZEN_NOW)
    yield rt
    rt.close()


def test_after_downtime_the_draw_runs_once_and_a_late_reminder_not_at_all(
    frozen_runtime, town, caplog
):
    rt = frozen_runtime
    all_jobs = registry.build(rt.config, environ={})
    jobs = {name: all_jobs[name] for name in ("review", "reminders")}
    # APScheduler fires on the machine's clock. Had the reminders' daily slot (09:00) just
    # passed for real, within its grace, it would rightly fire: put the slot half a day
    # away from the real time, so the run missed an hour ago is the only one due.
    away = (wall_now().astimezone(ZoneInfo("Asia/Shanghai")).hour + 12) % 24
    jobs["reminders"] = replace(jobs["reminders"], schedule={"hour": away, "minute": 0})
    # Down for three weeks: three draws missed; the reminder's slot passed an hour ago.
    _pretend_downtime(rt, jobs, {"review": timedelta(days=20), "reminders": timedelta(hours=1)})
    caplog.set_level(logging.INFO, logger="minqing.scheduler")

    def draws() -> int:
        with rt.unit_of_work() as s:
            return len(s.scalars(select(ReviewDraw)).all())

    runner = Runner(rt, holder="a", lease_seconds=30, renew_seconds=5, jobs=jobs)
    try:
        assert runner.step() is True
        assert wait_for(lambda: draws() == 2)
        # Every run APScheduler submitted in that wake-up (three, were it not coalesced)
        # has finished once the scheduler is shut down: no time-based wait needed.
    finally:
        runner.shutdown()
    fired = [r.getMessage() for r in caplog.records if "fired on" in r.getMessage()]
    assert fired == ["job review fired on a"]  # coalesced: once, not three times
    missed = [r.getMessage() for r in caplog.records if "was missed by" in r.getMessage()]
    assert len(missed) == 1 and "reminders" in missed[0]  # past its grace: skipped
    with rt.unit_of_work() as s:
        keys = set(s.scalars(select(JobRun.run_key)))
    assert keys == {"review:虹桥镇:2026-W48", "review:东山村:2026-W48"}  # no reminder key

    # A restart finds the next draw in the future: nothing runs twice.
    caplog.clear()
    again = Runner(rt, holder="b", lease_seconds=30, renew_seconds=5, jobs=jobs)
    try:
        assert again.step() is True
        stored = {j.id: j for j in again.scheduler.get_jobs()}  # type: ignore[union-attr]
    finally:
        again.shutdown()
    assert not [r for r in caplog.records if "fired on" in r.getMessage()]
    assert stored["review"].next_run_time > wall_now()
    assert stored["review"].func_ref == JOB_REF and stored["review"].args == ("review",)
    assert draws() == 2


def test_a_restart_does_not_duplicate_jobs(frozen_runtime):
    jobs = registry.build(frozen_runtime.config, environ={})
    for holder in ("a", "b"):
        runner = Runner(frozen_runtime, holder=holder, lease_seconds=30, renew_seconds=5, jobs=jobs)
        try:
            runner.step()
            ids = sorted(j.id for j in runner.scheduler.get_jobs())  # type: ignore[union-attr]
        finally:
            runner.shutdown()
        assert ids == sorted(jobs)
