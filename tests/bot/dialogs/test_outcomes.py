"""The five outcome words at the door (issue 10 item 1), as the cadre sees them.

入户走访 · 电话联系 · 电话未接通 · 不在家已登记 · 约访 — and an unanswered call to a key
target is ``phone_missed``: not a contact, still on the to-visit list, and the second
one tells the unit's leader.
"""

from __future__ import annotations

from bot.dialogs.contracts import FlagNotHomeTwice
from tests.support.dialogs import TARGETS, with_status


def test_an_unanswered_call_is_saved_as_phone_missed_not_as_contact(chat):
    c = chat()
    c.say("走访")
    c.say("李四")  # 党员、组长: a key target
    assert "须电话联系" in c.say("不在家")
    assert "电话打通了吗" in c.say("1")  # keep the roster's number
    summary = c.say("否")
    assert "请核对 李四 的记录：电话未接通" in summary
    saved_text = c.say("1")
    assert saved_text.startswith("已保存：李四（3组 8号）电话未接通。")
    assert "电话联系" not in saved_text
    assert "仍在待走访名单上" in saved_text
    saved = c.saved()
    assert saved.outcome == "phone_missed"
    assert saved.answers == {"phone": "13800000002", "reached": "no"}
    assert saved.problems == ()
    assert not any(isinstance(e, FlagNotHomeTwice) for e in c.effects)  # the first miss


def test_the_second_unanswered_call_tells_the_leader(chat):
    missed_once = with_status(TARGETS, 2, status="phone_missed", missed_count=1, not_home_count=1)
    c = chat(targets=missed_once)
    listing = c.say("走访")
    assert "李四 3组 8号 ★重点（电话未接通1次）" in listing  # still to visit
    c.say("李四")
    c.say("不在家")
    c.say("1")
    c.say("否")
    c.say("1")
    assert c.saved().outcome == "phone_missed"
    assert FlagNotHomeTwice(2, "李四", "phone_missed") in c.effects


def test_a_call_that_gets_through_is_phone_contact(chat):
    c = chat()
    c.say("走访")
    c.say("李四")
    c.say("不在家")
    c.say("1")
    c.say("是")
    assert "请核对 李四 的记录：电话联系" in c.say("无")
    assert c.say("1").startswith("已保存：李四（3组 8号）电话联系。")
    assert c.saved().outcome == "phone"


def test_a_general_household_not_at_home_is_registered_not_phoned(chat):
    c = chat()
    c.say("走访")
    c.say("张三")
    assert "一般农户不在家" in c.say("不在家")
    c.say("1")
    assert "请核对 张三 的记录：不在家已登记" in c.say("春节后，广东东莞，务工")
    reply = c.say("1")
    assert reply.startswith("已保存：张三（3组 15号）不在家已登记。")
    assert "电话" not in reply.splitlines()[0]
    assert c.saved().outcome == "away"


def test_at_home_is_entry_visit_and_appointment_stays_appointment(chat):
    c = chat()
    c.say("走访")
    c.say("张三")
    for answer in ["在家", "是", "1", "否", "1", "1", "1", "1"]:
        c.say(answer)
    assert c.say("1").startswith("已保存：张三（3组 15号）入户走访。")
    assert c.saved().outcome == "visited"
    c.say("走访")
    c.say("李四")
    c.say("约访")
    assert c.say("明天下午3点").startswith("已保存：李四（3组 8号）约访")
    assert c.saved().outcome == "appointment"
