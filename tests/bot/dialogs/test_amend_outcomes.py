"""修改 works for every outcome (issue 10 item 1), not only at-home visits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.dialogs.contracts import AmendVisit, RecentVisit
from tests.support.dialogs import NOW


def recent(visit_id, target_id, name, place, outcome, answers):
    return RecentVisit(visit_id, target_id, name, place, outcome, NOW - timedelta(hours=1), answers)


def amendment(c) -> AmendVisit:
    found = [e for e in c.effects if isinstance(e, AmendVisit)]
    assert found, "nothing was amended"
    return found[-1]


def test_an_unanswered_call_amended_to_answered_becomes_phone_contact(chat):
    missed = recent(
        51, 2, "李四", "3组 8号", "phone_missed", {"phone": "13800000002", "reached": "no"}
    )
    c = chat(recent=(missed,))
    listing = c.say("修改")
    assert "1. 李四 3组 8号 电话未接通" in listing
    assert "请核对 李四 的记录：电话未接通" in c.say("1")
    c.say("改2")
    assert c.state.step == "question:reached"
    c.say("是")
    assert "请核对 李四 的记录：电话联系" in c.say("说村道路灯坏了")
    assert c.say("1").startswith("已修改：李四（3组 8号）的记录（电话联系）。")
    amend = amendment(c)
    assert (amend.visit_id, amend.outcome) == (51, "phone")
    assert amend.answers == {"phone": "13800000002", "reached": "yes", "note": "说村道路灯坏了"}
    assert [p.text for p in amend.problems] == ["说村道路灯坏了"]


def test_an_away_record_is_amended_in_its_own_questions(chat):
    answers = {"phone": "13800000001", "away_since": "春节后", "away_address": "广东东莞",
               "occupation": "务工"}  # fmt: skip
    c = chat(recent=(recent(52, 1, "张三", "3组 15号", "away", answers),))
    assert "张三 3组 15号 不在家已登记" in c.say("修改")
    assert "请核对 张三 的记录：不在家已登记" in c.say("1")
    c.say("改1")
    assert "请核对" in c.say("13900000001")
    assert c.say("1").startswith("已修改：张三（3组 15号）的记录（不在家已登记）。")
    amend = amendment(c)
    assert amend.outcome == "away" and amend.answers == {**answers, "phone": "13900000001"}


def test_a_phone_contact_and_an_appointment_can_be_amended(chat):
    phoned = recent(53, 4, "赵六", "1组 9号", "phone",
                    {"phone": "13800000004", "reached": "yes", "note": "无"})  # fmt: skip
    booked = recent(54, 3, "王五", "5组 2号", "appointment", {})
    c = chat(recent=(phoned, booked))
    listing = c.say("修改")
    assert "赵六 1组 9号 电话联系" in listing and "王五 5组 2号 约访" in listing
    number = next(line[0] for line in listing.splitlines() if "王五" in line)
    assert "约在什么时间" in c.say(number)
    reply = c.say("明天下午3点")
    assert reply.startswith("已修改：王五（5组 2号）约访改为 11-24 15:00")
    amend = amendment(c)
    assert (amend.visit_id, amend.outcome) == (54, "appointment")
    assert amend.appointment_at == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    c.say("修改")
    number = next(line[0] for line in c.replies[-1].text.splitlines() if "赵六" in line)
    assert "请核对 赵六 的记录：电话联系" in c.say(number)
