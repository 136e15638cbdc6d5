"""Delivery order in practice (issue 11, item 5): a reminder queued for next week holds
back none of a cadre's messages from a visit finished now, and a confirm card comes
after the (split) summary it confirms."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.devtools.fakewecom import RunningFake
from bot.outbox.worker import drain_once
from bot.runtime import Runtime
from storage import outbox
from storage.models import OutboxMessage
from tests.support.roster import CADRE, seed
from tests.support.wecom import WecomTestClient

DEC_2_MORNING = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # 09:00 in the campaign's zone


def pending(runtime: Runtime) -> list[OutboxMessage]:
    with runtime.unit_of_work() as s:
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")))


def visit_wangda(wc: WecomTestClient, difficulty: str) -> str:
    """Walk 王大's visit up to the confirm summary; returns that summary's first part."""
    wc.say(CADRE, "走访")
    wc.say(CADRE, "王大")
    wc.say(CADRE, "在家")
    for answer in ["是", "有困难", difficulty, "否", "2", "1", "1", "跳过"]:
        wc.say(CADRE, answer)
    return wc.say(CADRE, "1")


def test_a_reminder_queued_for_next_week_holds_back_nothing_sent_now(
    runtime: Runtime, wc: WecomTestClient, api_runtime: Runtime, fake: RunningFake
) -> None:
    seed(runtime)
    with runtime.unit_of_work() as s:
        reminder = outbox.text_payload("【走访提醒】12月2日：今天还有3户未走访")
        outbox.enqueue(s, "message", CADRE, reminder, runtime.clock(), not_before=DEC_2_MORNING)
    assert "请核对 王大" in visit_wangda(wc, "孩子上学路远，没有校车")
    assert wc.say(CADRE, "确认").startswith("已保存：王大（3组 15号）入户走访。")
    queued_by_visit = len(pending(api_runtime)) - 1
    assert queued_by_visit >= 3  # choice cards, the confirm card, classification cards

    drain_once(api_runtime)

    left = pending(api_runtime)
    assert [r.next_attempt_at for r in left] == [DEC_2_MORNING]  # only the reminder waits
    to_cadre = [r for r in fake.state.records if r["to"] == [CADRE]]
    assert len(to_cadre) == queued_by_visit


def test_the_confirm_card_follows_every_part_of_a_long_summary(
    runtime: Runtime, wc: WecomTestClient, api_runtime: Runtime, fake: RunningFake
) -> None:
    seed(runtime)
    difficulty = "孩子上学路远没有校车，" * 90  # 990 characters: the summary needs 2 parts
    first = visit_wangda(wc, difficulty)
    assert "请核对 王大" in first
    drain_once(api_runtime)
    sent = [r["body"] for r in fake.state.records if r["to"] == [CADRE]]
    last_card = max(i for i, b in enumerate(sent) if b["msgtype"] == "template_card")
    rest = [i for i, b in enumerate(sent) if b["msgtype"] == "text"]
    assert rest, "the summary's continuation went through the outbox"
    assert max(rest) < last_card
    whole = first + "".join(sent[i]["text"]["content"] for i in rest)
    assert whole.count("孩子上学路远没有校车") >= 90
