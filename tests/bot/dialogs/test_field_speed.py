"""Field speed: every template walked end to end, counting the cadre's messages and taps.

Issue 5: a standard at-home household with no problem takes at most 12 messages from
走访 to 已保存; a not-at-home 一般农户 at most 6. Issue 10: the village form (003 附件1),
its 12 numbers asked a few per message with their labels, at most 8. README and
docs/dialog.md state these counts.
"""

from __future__ import annotations

import pytest

from bot.dialogs.contracts import TargetInfo
from bot.dialogs.template import available
from tests.support.dialogs import NO_PROBLEM_SCRIPTS

AT_HOME_LIMIT = 12
NOT_HOME_LIMIT = 6
VILLAGE_LIMIT = 8

EXPECTED_TAPS = {
    "yizou_erwen_sankan": 11,
    "yikan_erting_sanwen_sijiang": 11,
    "chaihudian_six_themes": 7,
    "changzhou_household": 8,
    "fangminqing": 8,
    "changzhou_village": 8,
}
VILLAGE = (TargetInfo(50, "新桥村", "新桥村村委会", "", "", False, (), kind="village"),)


def test_every_shipped_template_has_a_script():
    assert set(available()) == set(NO_PROBLEM_SCRIPTS)


@pytest.mark.parametrize("name", sorted(NO_PROBLEM_SCRIPTS))
def test_at_home_household_without_problems(chat, name):
    c = chat(name, targets=VILLAGE) if name == "changzhou_village" else chat(name)
    assert "待走访" in c.say("走访") or name == "changzhou_village"
    pick = "新桥村" if name == "changzhou_village" else "张三"
    c.say(pick)
    for message in NO_PROBLEM_SCRIPTS[name]:
        reply = c.say(message)
        assert "请核对" in reply or "【" in reply, f"{message!r} was not accepted: {reply}"
    assert "请核对" in reply
    final = c.say("1")
    assert final.startswith(f"已保存：{pick}"), final
    saved = c.saved()
    assert saved.outcome == "visited"
    assert saved.problems == ()
    assert saved.template == name
    assert c.taps == EXPECTED_TAPS[name] <= AT_HOME_LIMIT
    if name == "changzhou_village":
        assert c.taps <= VILLAGE_LIMIT


@pytest.mark.parametrize("name", sorted(set(NO_PROBLEM_SCRIPTS) - {"changzhou_village"}))
def test_not_at_home_general_household(chat, name):
    c = chat(name)
    c.say("走访")
    c.say("张三")
    assert "一般农户不在家" in c.say("不在家")
    assert "外出时间" in c.say("1")  # keep the roster's phone number
    assert "请核对" in c.say("今年春节后，广东省东莞市长安镇，电子厂务工")
    assert c.say("确认").startswith("已保存：张三")
    saved = c.saved()
    assert saved.outcome == "away"
    assert saved.answers == {
        "phone": "13800000001",
        "away_since": "今年春节后",
        "away_address": "广东省东莞市长安镇",
        "occupation": "电子厂务工",
    }
    assert c.taps <= NOT_HOME_LIMIT
