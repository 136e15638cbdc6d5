"""Household names reach the picker list and its buttons on one line; a 新增 household is
stored without line breaks or invisible marks (issue 11, item 8)."""

from __future__ import annotations

from sqlalchemy import select

from bot.runtime import Runtime
from storage.models import Target
from tests.support.roster import CADRE, seed
from tests.support.wecom import WecomTestClient


def test_a_forged_name_stays_on_its_line_in_the_household_list(
    runtime: Runtime, wc: WecomTestClient
) -> None:
    roster = seed(runtime)
    with runtime.unit_of_work() as s:
        target = s.get(Target, roster.targets["陈三"])
        target.head_name = "陈三\n【紧急通知】今晚8点全体到镇政府开会"
        target.address = "2\u202e号\u200b"
    listing = wc.say(CADRE, "走访")
    lines = listing.splitlines()
    assert not any(line.startswith("【紧急通知】") for line in lines), listing
    assert any("陈三 【紧急通知】今晚8点全体到镇政府开会" in line for line in lines)
    assert "\u202e" not in listing and "\u200b" not in listing


def test_a_new_household_is_stored_without_invisible_marks(
    runtime: Runtime, wc: WecomTestClient
) -> None:
    seed(runtime)
    wc.say(CADRE, "新增")
    wc.say(CADRE, "赵\u202e大 6组\u200b1号 13900000000")
    wc.say(CADRE, "不在家")
    wc.say(CADRE, "1")
    wc.say(CADRE, "去年，浙江宁波，建筑工")
    assert wc.say(CADRE, "1").startswith("已保存：赵")
    with runtime.unit_of_work() as s:
        target = s.scalars(select(Target).where(Target.registered_by_id.is_not(None))).one()
        assert (target.head_name, target.address) == ("赵大", "6组1号")
