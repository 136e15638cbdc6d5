"""The visit jobs: 约访 reminders and the 12-hour idle-draft reminder, once each."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import create_app
from bot.runtime import Runtime
from scheduler.jobs_visits import remind_appointments, remind_idle_drafts
from storage.models import OutboxMessage
from tests.bot.handlers.roster import CADRE, seed
from tests.wecom_helpers import WecomTestClient


def test_appointment_is_reminded_once_near_its_time(runtime: Runtime) -> None:
    seed(runtime)
    wc = WecomTestClient.for_app(create_app(runtime=runtime))
    wc.say(CADRE, "走访")
    wc.say(CADRE, "陈三")
    wc.say(CADRE, "约访")
    assert "约访 11-23 20:00" in wc.say(CADRE, "今晚8点")  # 12:00 UTC
    now = runtime.clock()
    with runtime.unit_of_work() as s:
        assert remind_appointments(s, now) == []  # 3 hours ahead: not yet
        keys = remind_appointments(s, now + timedelta(hours=2, minutes=40))
        assert len(keys) == 1
        assert remind_appointments(s, now + timedelta(hours=2, minutes=50)) == []  # once
        row = s.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == keys[0])).one()
        assert row.recipient == CADRE and "约了 陈三（5组 2号）" in row.payload["text"]["content"]


def test_idle_draft_gets_one_reminder(runtime: Runtime) -> None:
    seed(runtime)
    wc = WecomTestClient.for_app(create_app(runtime=runtime))
    wc.say(CADRE, "走访")
    wc.say(CADRE, "王大")
    now = runtime.clock()
    with runtime.unit_of_work() as s:
        assert remind_idle_drafts(s, now + timedelta(hours=11)) == []
        keys = remind_idle_drafts(s, now + timedelta(hours=12, minutes=5))
        assert len(keys) == 1
    with runtime.unit_of_work() as s:
        assert remind_idle_drafts(s, now + timedelta(hours=20)) == []
        row = s.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == keys[0])).one()
        assert "未完成的走访：王大" in row.payload["text"]["content"]
