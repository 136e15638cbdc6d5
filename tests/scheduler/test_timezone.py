"""One campaign time zone: every "today" agrees, whichever zone the campaign is in.

At 2026-11-22 17:00 UTC it is already Monday 11-23 01:00 in Shanghai (ISO week 48) but
still Sunday 11-22 in Urumqi (23:00) and in UTC. With ``[campaign] timezone`` set to
each, the days left that a cadre sees during a visit (进度), the deadline reminder, the
weekly digest's week, a 交办 deadline's date and a typed appointment time all count
from the same local day. The town's 走访排查 phase ends 2026-11-26.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import config as config_mod
from bot.app import create_app
from bot.dialogs.timeparse import parse_when
from bot.handlers.ledger_service import clock_label
from bot.runtime import Runtime
from scheduler import digests, reminders
from scheduler.base import iso_week, local_today, week_bounds
from storage.models import Problem
from tests.support.config import config_dict
from tests.support.outbox import content, group_rows
from tests.support.town import groups_section
from tests.support.wecom import WecomTestClient

AT = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)
PHASE_END = date(2026, 11, 26)
# zone -> (its day at AT, days to the phase's end, ISO week)
ZONES = {
    "Asia/Shanghai": (date(2026, 11, 23), 3, "2026-W48"),
    "Asia/Urumqi": (date(2026, 11, 22), 4, "2026-W47"),
    "UTC": (date(2026, 11, 22), 4, "2026-W47"),
}


@pytest.fixture(params=list(ZONES))
def zoned(request, db_url):  # type: ignore[no-untyped-def]
    raw = config_dict(
        db_url,
        campaign={"name": "民情大走访", "timezone": request.param},
        scheduler={"reminder_days_before": [4, 3]},
    )
    raw["groups"] = groups_section()
    rt = Runtime.from_config(config_mod.from_dict(raw, environ={}), clock=lambda: AT)
    yield request.param, rt
    rt.close()


def test_visit_reminder_digest_deadline_and_appointment_agree_on_the_day(zoned, town):  # type: ignore[no-untyped-def]
    name, rt = zoned
    day, days_left, week = ZONES[name]
    zone = ZoneInfo(name)
    assert local_today(AT, rt.config) == day

    # During a visit: 进度 counts the days from the cadre's local day.
    progress = WecomTestClient.for_app(create_app(runtime=rt)).say("zhangsan", "进度")
    assert f"距截止（{PHASE_END.isoformat()}）还有 {days_left} 天" in progress, progress

    # The deadline reminder that fires at the same moment says the same number.
    with rt.unit_of_work() as s:
        result = reminders.run(s, AT, rt.config)
    assert result.claimed == (f"reminder:{town.phase_visit_id}:{days_left}",)
    with rt.unit_of_work() as s:
        texts = [content(r) for r in group_rows(s)]
    assert texts and all(f"（还有 {days_left} 天）" in t for t in texts), texts

    # The weekly digest is the local day's ISO week.
    with rt.unit_of_work() as s:
        weekly = digests.weekly(s, AT, rt.config)
    assert weekly.claimed == (f"digest:weekly:{week}",)
    monday, sunday = week_bounds(week)
    assert monday <= day <= sunday and iso_week(day) == week

    # A problem registered now must be assigned within 2 days: its date is local.
    with rt.unit_of_work() as s:
        problem = s.get(Problem, town.problem_ids["medical"])
        assert problem is not None
        problem.created_at = AT
        label = clock_label(problem, AT, rt.config.ledger, rt.zone)
    due_day = day + timedelta(days=2)
    assert label.startswith(f"交办 {due_day.month}月{due_day.day}日前"), label

    # "明天下午3点" typed at the door is tomorrow in the same zone.
    when = parse_when("明天下午3点", AT, zone)
    assert when is not None
    local = when.astimezone(zone)
    assert (local.date(), local.hour) == (day + timedelta(days=1), 15)
