"""Outcomes through the real webhook: an unanswered call to a key target stays on the list."""

from __future__ import annotations

from sqlalchemy import select

from bot.runtime import Runtime
from storage.models import OutboxMessage, Visit
from tests.support.roster import CADRE, LEADER, seed
from tests.support.wecom import WecomTestClient


def _call_unanswered(wc: WecomTestClient) -> str:
    wc.say(CADRE, "走访")
    wc.say(CADRE, "李二")  # 党员: a key target
    assert "须电话联系" in wc.say(CADRE, "不在家")
    wc.say(CADRE, "1")  # the roster's number
    assert "请核对 李二 的记录：电话未接通" in wc.say(CADRE, "否")
    return wc.say(CADRE, "确认")


def test_unanswered_call_stays_on_the_list_and_the_second_tells_the_leader(
    runtime: Runtime, wc: WecomTestClient
) -> None:
    roster = seed(runtime)
    first = _call_unanswered(wc)
    assert first.startswith("已保存：李二（3组 8号）电话未接通。")
    assert "李二 3组 8号 ★重点（电话未接通1次）" in wc.say(CADRE, "走访")
    wc.say(CADRE, "取消")
    with runtime.unit_of_work() as s:
        assert not s.scalars(select(OutboxMessage).where(OutboxMessage.recipient == LEADER)).all()

    _call_unanswered(wc)
    with runtime.unit_of_work() as s:
        visits = s.scalars(select(Visit).order_by(Visit.id)).all()
        assert [v.outcome for v in visits] == ["phone_missed", "phone_missed"]
        assert {v.target_id for v in visits} == {roster.targets["李二"]}
        to_leader = s.scalars(select(OutboxMessage).where(OutboxMessage.recipient == LEADER)).all()
        assert len(to_leader) == 1
        text = to_leader[0].payload["text"]["content"]
        assert "李二" in text and "两次电话未接通" in text
        assert "13800000002" not in text and "党员" not in text
    assert "李二" in wc.say(CADRE, "走访")  # still to visit after two misses
    wc.say(CADRE, "取消")
    progress = wc.say(CADRE, "进度")
    assert "入户走访 0 户，电话联系 0 户，不在家已登记 0 户，共应走访 3 户（完成 0%）" in progress
    assert "电话未接通 1 户、约访 0 户，仍在待访名单中" in progress


def test_reached_by_phone_leaves_the_list(runtime: Runtime, wc: WecomTestClient) -> None:
    seed(runtime)
    wc.say(CADRE, "走访")
    wc.say(CADRE, "李二")
    wc.say(CADRE, "不在家")
    wc.say(CADRE, "1")
    wc.say(CADRE, "是")
    wc.say(CADRE, "无")
    assert wc.say(CADRE, "确认").startswith("已保存：李二（3组 8号）电话联系。")
    with runtime.unit_of_work() as s:
        assert s.scalars(select(Visit.outcome)).one() == "phone"
    assert "李二" not in wc.say(CADRE, "走访")


def test_an_unanswered_call_is_amended_to_answered(runtime: Runtime, wc: WecomTestClient) -> None:
    seed(runtime)
    _call_unanswered(wc)
    assert "1. 李二 3组 8号 电话未接通" in wc.say(CADRE, "修改")
    assert "请核对 李二 的记录：电话未接通" in wc.say(CADRE, "1")
    wc.say(CADRE, "改2")
    wc.say(CADRE, "是")
    assert "请核对 李二 的记录：电话联系" in wc.say(CADRE, "希望村里修一下路灯")
    assert wc.say(CADRE, "1").startswith("已修改：李二（3组 8号）的记录（电话联系）。")
    with runtime.unit_of_work() as s:
        visit = s.scalars(select(Visit)).one()
        assert visit.outcome == "phone" and visit.amended_at == runtime.clock()
        assert visit.answers["note"] == "希望村里修一下路灯"
    assert "李二" not in wc.say(CADRE, "走访")  # reached now: off the list


def test_an_appointment_time_is_amended(runtime: Runtime, wc: WecomTestClient) -> None:
    seed(runtime)
    wc.say(CADRE, "走访")
    wc.say(CADRE, "陈三")
    wc.say(CADRE, "约访")
    wc.say(CADRE, "今晚8点")
    wc.say(CADRE, "修改")
    assert "约在什么时间" in wc.say(CADRE, "1")
    assert wc.say(CADRE, "明晚7点").startswith("已修改：陈三（5组 2号）约访改为 11-24 19:00")
    with runtime.unit_of_work() as s:
        visit = s.scalars(select(Visit)).one()
        assert visit.outcome == "appointment"
        assert visit.appointment_at is not None
    assert "陈三 5组 2号（约访 11-24 19:00）" in wc.say(CADRE, "走访")
