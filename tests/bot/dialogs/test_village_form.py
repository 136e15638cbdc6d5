"""The village form (003 附件1): 12 numbers, a few per message with their labels, each
checked — a number typed in the wrong place is caught and nothing is stored."""

from __future__ import annotations

from tests.bot.dialogs.test_field_speed import VILLAGE


def start(chat):
    c = chat("changzhou_village", targets=VILLAGE)
    assert "待填报村（社区）调查表（共1个）" in c.say("走访")
    first = c.say("新桥村")
    return c, first


def test_the_numbers_are_asked_with_their_labels_a_few_at_a_time(chat):
    c, first = start(chat)
    assert "在家" not in first
    assert "【基本情况（一）户数、人口与收入】" in first
    for label in (
        "1. 总户数",
        "2. 总人口",
        "3. 人均可支配收入（元）",
        "4. 村（社区）干部平均年收入（元）",
    ):
        assert label in first
    assert "党员人数" not in first  # the next message's
    assert "需要 4 项，收到 12 项" in c.say("820 2950 31000 86000 6 12 95 3 1 260 120 3500")
    second = c.say("820 2950 31000 86000")
    assert "【基本情况（二）村组与党建】" in second and "3. 党员人数" in second
    third = c.say("6 12 95 3 1")
    assert (
        "【基本情况（三）集体经济（万元）】" in third and "2. 村（社区）经营性收入（万元）" in third
    )


def test_swapped_or_misplaced_numbers_are_caught(chat):
    c, _ = start(chat)
    reply = c.say("2950 820 31000 86000")  # 户数 and 人口 swapped
    assert "第2项「总人口」：总人口应不少于总户数" in reply
    assert c.state.answers == {}
    assert "人均可支配收入以元为单位" in c.say("820 2950 3.1 86000")  # 万元 typed
    c.say("820 2950 31000 86000")
    assert "第4项「党支部个数」" in c.say("6 12 3 95 1")  # 党员 and 党支部 swapped
    assert "party_members" not in c.state.answers
    c.say("6 12 95 3 1")
    assert "不能多于集体总收入" in c.say("120 260 3500")  # 经营性 > 集体总收入
    c.say("260 120 3500")
    c.say("暂无")
    assert "请核对 新桥村 的记录：村（社区）调查表已填报" in c.say("王书记 13800000011")
    assert c.say("1").startswith("已保存：新桥村（新桥村村委会）村（社区）调查表已填报。")
    saved = c.saved()
    assert saved.outcome == "visited" and saved.problems == ()
    assert saved.answers["households"] == 820 and saved.answers["population"] == 2950
    assert saved.answers["party_members"] == 95 and saved.answers["branches"] == 3
    assert saved.answers["business_income"] == 120


def test_numbers_may_be_written_with_their_labels_in_any_order(chat):
    c, _ = start(chat)
    second = c.say("总人口2950，总户数820，人均可支配收入31000元，干部平均年收入86000")
    assert "【基本情况（二）村组与党建】" in second, second
    assert c.state.answers == {
        "households": 820,
        "population": 2950,
        "income_per_capita": 31000,
        "cadre_income": 86000,
    }
    reply = c.say("自然村个数6 村民小组个数12 党支部个数95 党员人数3 大学生村官人数1")
    assert "第4项「党支部个数」" in reply  # labelled, and still checked
    third = c.say("自然村个数6 村民小组个数12 党员人数95 党支部个数3 大学生村官人数1")
    assert "【基本情况（三）集体经济（万元）】" in third
