"""Shops, schools, companies and offices (target kind 'place', seed 004) are asked in
their own words: 有人接待吗, never 在家吗; nobody there is not an 一般农户 away."""

from __future__ import annotations

from datetime import timedelta

from bot.dialogs.contracts import AmendVisit, RecentVisit, TargetInfo
from scheduler.prompts import target_label
from tests.support.dialogs import NOW, TARGETS

SHOP = TargetInfo(8, "桃源粮油店", "街上2号", "3组", "13800000008", False, ("商铺",), kind="place")


def test_a_shop_is_asked_whether_someone_receives_the_cadre(chat):
    c = chat(targets=(*TARGETS, SHOP))
    c.say("走访")
    ask = c.say("桃源粮油店")
    assert ask.startswith("桃源粮油店（3组 街上2号）：有人接待吗？")
    assert "在家" not in ask
    assert [b.label for b in c.replies[-1].buttons] == ["有人接待", "无人接待", "约访"]
    assert c.replies[-1].title == "有人接待吗"
    assert "请回复 1 有人接待" in c.say("不知道")


def test_a_shop_nobody_received_is_registered_as_a_place_not_an_away_household(chat):
    c = chat(targets=(*TARGETS, SHOP))
    c.say("走访")
    c.say("桃源粮油店")
    reply = c.say("无人接待")
    assert "无人接待，请登记联系电话和情况" in reply
    assert "一般农户" not in reply and "外出时间" not in reply
    c.say("1")  # keep the roster's phone
    assert "请核对 桃源粮油店 的记录：不在家已登记" in c.say("暂停营业，下周再来")
    c.say("1")
    saved = c.saved()
    assert saved.outcome == "away" and saved.target_id == 8
    assert saved.answers == {"phone": "13800000008", "closed_note": "暂停营业，下周再来"}


def test_a_household_is_still_asked_whether_anyone_is_at_home(chat):
    c = chat()
    c.say("走访")
    assert "在家吗" in c.say("张三")


def test_reminders_name_a_shop_by_its_own_name():
    assert (
        target_label("桃源粮油店", "桃源村", "3组", "2号", "place")
        == "桃源粮油店（桃源村 3组 2号）"
    )
    assert target_label("张三", "桃源村", "3组", "15号") == "张三家（桃源村 3组 15号）"


def test_a_shops_not_received_record_is_amended_in_its_own_questions(chat):
    answers = {"phone": "13800000008", "closed_note": "暂停营业"}
    visit = RecentVisit(
        61, 8, "桃源粮油店", "3组 街上2号", "away", NOW - timedelta(hours=1), answers
    )
    c = chat(targets=(*TARGETS, SHOP), recent=(visit,))
    c.say("修改")
    summary = c.say("1")
    assert "2. 情况说明（如 暂停营业、放假、改日再访）：暂停营业" in summary
    assert "外出时间" not in summary
    c.say("改2")
    c.say("店主外出进货，周五再来")
    assert c.say("1").startswith("已修改：桃源粮油店")
    amend = [e for e in c.effects if isinstance(e, AmendVisit)][-1]
    assert amend.outcome == "away" and amend.answers["closed_note"] == "店主外出进货，周五再来"
