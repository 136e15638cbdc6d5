"""Target kinds through the real webhook: a shop is asked 有人接待吗 and its not-received
record is told apart from an 一般农户 away; the village record is never a household."""

from __future__ import annotations

from sqlalchemy import select

from bot.runtime import Runtime
from storage.models import Assignment, OutboxMessage, Target, Visit
from tests.support.roster import CADRE, LEADER, seed
from tests.support.wecom import WecomTestClient


def add_shop(runtime: Runtime, campaign_id: int, cadre_id: int) -> int:
    with runtime.unit_of_work() as s:
        village = s.scalars(select(Target).where(Target.head_name == "王大")).one().unit_id
        shop = Target(head_name="桃源粮油店", unit_id=village, grid="4组", address="街上2号",
                      phone="13800000066", categories=["商铺"], kind="place")  # fmt: skip
        s.add(shop)
        s.flush()
        s.add(Assignment(campaign_id=campaign_id, target_id=shop.id, cadre_id=cadre_id))
        return shop.id


def test_a_shop_nobody_received_is_an_away_on_a_place(runtime: Runtime, wc: WecomTestClient):
    roster = seed(runtime)
    shop_id = add_shop(runtime, roster.campaign_id, roster.cadre_id)
    assert "桃源粮油店 4组 街上2号" in wc.say(CADRE, "走访")
    ask = wc.say(CADRE, "桃源粮油店")
    assert ask.startswith("桃源粮油店（4组 街上2号）：有人接待吗？") and "在家" not in ask
    assert "无人接待，请登记联系电话和情况" in wc.say(CADRE, "无人接待")
    wc.say(CADRE, "1")
    assert "请核对 桃源粮油店" in wc.say(CADRE, "店主外出进货")
    assert wc.say(CADRE, "确认").startswith("已保存：桃源粮油店（4组 街上2号）不在家已登记。")
    with runtime.unit_of_work() as s:
        visit = s.scalars(select(Visit)).one()
        assert (visit.target_id, visit.outcome) == (shop_id, "away")
        assert visit.answers == {"phone": "13800000066", "closed_note": "店主外出进货"}
        assert s.get(Target, shop_id).kind == "place"  # how 附件2 tells it from a household


def test_the_village_record_is_not_a_household_to_visit(runtime: Runtime, wc: WecomTestClient):
    seed(runtime)  # 王大, 李二, 陈三 and the village record 新桥村
    listing = wc.say(CADRE, "走访")
    assert "待走访（共3户" in listing and "新桥村" not in listing
    wc.say(CADRE, "取消")
    progress = wc.say(CADRE, "进度")
    assert "共应走访 3 户" in progress


def test_the_pick_list_counts_households_and_places_apart(runtime: Runtime, wc: WecomTestClient):
    roster = seed(runtime)
    add_shop(runtime, roster.campaign_id, roster.cadre_id)
    listing = wc.say(CADRE, "走访")
    assert listing.startswith("待走访（共3户、1处单位或商铺") and "桃源粮油店" in listing


def test_a_shop_missed_twice_is_not_a_household_in_the_leaders_note(
    runtime: Runtime, wc: WecomTestClient
) -> None:
    roster = seed(runtime)
    add_shop(runtime, roster.campaign_id, roster.cadre_id)
    for when in ("今晚8点", "明晚8点"):
        wc.say(CADRE, "走访")
        wc.say(CADRE, "桃源粮油店")
        wc.say(CADRE, "约访")
        wc.say(CADRE, when)
    with runtime.unit_of_work() as s:
        notes = s.scalars(select(OutboxMessage).where(OutboxMessage.recipient == LEADER)).all()
        assert len(notes) == 1
        text = notes[0].payload["text"]["content"]
        assert "桃源粮油店（4组 街上2号）已两次无人接待" in text and "户主" not in text
