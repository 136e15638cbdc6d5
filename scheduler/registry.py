"""The scheduler's jobs: name → function, cron schedule and misfire rules.

Misfire rules (what happens after downtime):
- the weekly draw and the digests coalesce: however many runs were missed, one
  runs when the scheduler is back, if still within its grace time (a week for the
  draw, so a missed draw always happens once);
- reminders and escalations have a short grace (10 minutes): a reminder that is
  late is not sent (the next day's run computes other distances to the deadline).
On top of that, every job claims a JobRun key per period, so nothing runs twice.

A test-only heartbeat job (``tick``) is added when the environment variable
``MINQING_SCHEDULER_TEST_JOB_SECONDS`` is set: it fires every that many seconds and
records each firing; the two-process test uses it to show a job fires once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Config
from scheduler import (
    coverage_snapshot,
    digests,
    escalation,
    jobs_visits,
    redaction,
    reminders,
    retention,
    review,
)
from scheduler.base import Job, JobResult, RuntimeJob
from storage.db import Session
from storage.runs import claim_run, finish_run

TEST_JOB_ENV = "MINQING_SCHEDULER_TEST_JOB_SECONDS"
REMINDER_TIME = (9, 0)
ESCALATION_TIME = (9, 30)
PURGE_TIME = (3, 30)
REDACT_TIME = (3, 45)
SHORT_GRACE = 600
DAY = 24 * 3600
WEEK = 7 * DAY


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: Job | RuntimeJob  # a RuntimeJob when ``own_transactions``
    description: str
    schedule: Mapping[str, Any]  # CronTrigger fields, or {"seconds": n} for an interval
    misfire_grace_time: int
    coalesce: bool
    own_transactions: bool = False  # func takes the runtime and opens its own units of work

    def trigger(self, timezone: str) -> BaseTrigger:
        if "seconds" in self.schedule:
            return IntervalTrigger(seconds=self.schedule["seconds"], timezone=ZoneInfo(timezone))
        return CronTrigger(timezone=ZoneInfo(timezone), **self.schedule)

    def describe_schedule(self) -> str:
        if "seconds" in self.schedule:
            return f"every {self.schedule['seconds']} s"
        return " ".join(f"{k}={v}" for k, v in self.schedule.items())


def _hm(text: str) -> tuple[int, int]:
    hour, minute = text.split(":")
    return int(hour), int(minute)


def tick(session: Session, now: datetime, config: Config, *, force: bool = False) -> JobResult:
    """Test-only heartbeat: records ``tick:<firing time>``, one row per firing.

    The key is the exact firing time, so the run key never absorbs a double firing:
    the rows show every firing that happened, on whichever process.
    """
    key = f"tick:{now.isoformat()}"
    claim_run(session, key, "tick", now, force)
    finish_run(session, key, now, "tick")
    return JobResult("tick", (key,))


def build(config: Config, environ: Mapping[str, str] | None = None) -> dict[str, JobSpec]:
    """All jobs with their schedule taken from ``config`` (and the test flag)."""
    env = os.environ if environ is None else environ
    s = config.scheduler
    review_h, review_m = _hm(s.review_time)
    digest_h, digest_m = _hm(s.daily_digest_time)
    specs = [
        JobSpec(
            "reminders",
            reminders.run,
            "截止提醒 deadline reminders (群 + 个人)",
            {"hour": REMINDER_TIME[0], "minute": REMINDER_TIME[1]},
            SHORT_GRACE,
            True,
        ),
        JobSpec(
            "review",
            review.run,
            "每周讲评随机抽取 weekly random-five draw",
            {"day_of_week": s.review_day_of_week, "hour": review_h, "minute": review_m},
            WEEK,
            True,
        ),
        JobSpec(
            "digest_daily",
            digests.daily,
            "每日简报 daily leader digest",
            {"hour": digest_h, "minute": digest_m},
            4 * 3600,
            True,
        ),
        JobSpec(
            "digest_weekly",
            digests.weekly,
            "每周简报 weekly digest with chart",
            {"day_of_week": "sun", "hour": digest_h, "minute": digest_m},
            2 * DAY,
            True,
        ),
        JobSpec(
            "digest_halfmonth",
            digests.halfmonth,
            "半月问题汇总 half-monthly 附件5 summary",
            {"day": "1,16", "hour": digest_h, "minute": digest_m},
            2 * DAY,
            True,
        ),
        JobSpec(
            "escalation",
            escalation.run_batched,
            "逾期升级与回访提醒 overdue escalation, follow-ups",
            {"hour": ESCALATION_TIME[0], "minute": ESCALATION_TIME[1]},
            SHORT_GRACE,
            True,
            own_transactions=True,
        ),
        JobSpec(
            "visit_reminders",
            jobs_visits.run,
            "草稿与约访提醒 idle drafts and appointments",
            {"minute": "*/10"},
            300,
            True,
        ),
        JobSpec(
            "visit_media",
            jobs_visits.fetch_media,
            "下载走访照片 fetch visit photos (media/get)",
            {"minute": "*"},
            60,
            True,
            own_transactions=True,
        ),
        JobSpec(
            coverage_snapshot.JOB,
            coverage_snapshot.run,
            "大单位进度的覆盖数快照 coverage cells for the 进度 of large units",
            {"minute": "*"},
            60,
            True,
        ),
        JobSpec(
            retention.JOB,
            retention.run,
            "清理过期的收到消息 purge old inbound messages and their stored replies",
            {"hour": PURGE_TIME[0], "minute": PURGE_TIME[1]},
            DAY,
            True,
        ),
        JobSpec(
            redaction.JOB,
            redaction.run,
            "到期删除已结束活动的个人文字 redact closed campaigns' personal texts",
            {"hour": REDACT_TIME[0], "minute": REDACT_TIME[1]},
            DAY,
            True,
        ),
    ]
    seconds = env.get(TEST_JOB_ENV, "")
    if seconds:
        specs.append(
            JobSpec("tick", tick, "test-only heartbeat", {"seconds": int(seconds)}, 30, True)
        )
    return {spec.name: spec for spec in specs}


def lookup(jobs: Mapping[str, JobSpec], name: str) -> JobSpec | None:
    """The job called ``name``; ``digest-daily`` is accepted for ``digest_daily``."""
    return jobs.get(name) or jobs.get(name.replace("-", "_"))
