"""Deadline reminders: group totals and names, personal lists, once per period."""

from __future__ import annotations

from datetime import timedelta

from scheduler import reminders
from scheduler.privacy import problems_in
from tests.support.outbox import content, group_rows, outbox
from tests.support.town import PROBLEM_TEXTS


def test_three_days_before_the_deadline_groups_and_cadres_are_reminded(
    sessions, sconfig, town, now
):
    with sessions() as s:
        result = reminders.run(s, now, sconfig)
        s.commit()
    assert result.claimed == (f"reminder:{town.phase_visit_id}:3",)
    with sessions() as s:
        rows = outbox(s)
        robot, chat = group_rows(s)
    assert robot.channel == "robot" and robot.recipient == "robot-town-key"
    text = content(robot)
    assert "「走访排查」阶段将于11月26日截止（还有 3 天）" in text
    assert "东山村：3 / 1 / 1 / 2，共 7 户" in text
    assert "西河村：1 / 0 / 0 / 4，共 5 户" in text
    assert "张三（剩 2 户）" in text and "孙七（剩 2 户）" in text and "周八（剩 2 户）" in text
    assert "李四" not in text  # done with all households
    assert robot.payload["text"]["mentioned_list"] == ["zhangsan", "sunqi", "zhouba"]
    assert chat.channel == "appchat" and chat.recipient == "chat-east"
    assert "张三" in content(chat) and "孙七" not in content(chat)  # only its own subtree
    personal = {r.recipient: content(r) for r in rows if r.channel == "message"}
    assert set(personal) == {"zhangsan", "sunqi", "zhouba"}
    assert "您还有 2 户未走访" in personal["zhangsan"]
    assert "刘三家" in personal["zhangsan"] and "刘四家" in personal["zhangsan"]
    assert "刘大家" not in personal["zhangsan"]  # visited already
    assert result.messages == 5


def test_group_reminders_carry_nothing_private(sessions, sconfig, town, now):
    with sessions() as s:
        reminders.run(s, now, sconfig)
        s.commit()
        for row in group_rows(s):
            assert problems_in(content(row), PROBLEM_TEXTS.values()) == []
            assert "信教" not in content(row) and "1370000" not in content(row)


def test_a_second_firing_for_the_same_period_sends_nothing(sessions, sconfig, town, now):
    with sessions() as s:
        reminders.run(s, now, sconfig)
        s.commit()
    with sessions() as s:
        again = reminders.run(s, now + timedelta(hours=1), sconfig)
        s.commit()
        assert again.claimed == () and again.skipped == (f"reminder:{town.phase_visit_id}:3",)
        assert len(outbox(s)) == 5


def test_a_late_run_on_another_day_does_not_send_the_missed_reminder(sessions, sconfig, town, now):
    with sessions() as s:
        late = reminders.run(s, now + timedelta(days=1), sconfig)  # 2 days left: not configured
        s.commit()
        assert late.claimed == () and outbox(s) == []
    with sessions() as s:
        one_day = reminders.run(s, now + timedelta(days=2), sconfig)
        s.commit()
    assert one_day.claimed == (f"reminder:{town.phase_visit_id}:1",)


def test_force_repeats_and_records_a_separate_run(sessions, sconfig, town, now):
    with sessions() as s:
        reminders.run(s, now, sconfig)
        s.commit()
    with sessions() as s:
        forced = reminders.run(s, now + timedelta(minutes=5), sconfig, force=True)
        s.commit()
        assert forced.claimed and len(outbox(s)) == 10
