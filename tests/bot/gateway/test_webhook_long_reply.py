"""A passive reply longer than WeCom's 2048 bytes: the first chunk answers, the rest
go to the same user through the outbox, in order, in the same unit of work."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import OutboxMessage
from tests.support.clock import FROZEN_NOW
from tests.support.ledger import add_problem, build_world


def test_long_problem_list_is_split_between_reply_and_outbox(wc, runtime):
    with runtime.unit_of_work() as s:
        w = build_world(s)
        for i in range(30):
            text = f"第{i}号：村道路灯坏了很久，晚上出门很不方便，希望尽快修好路灯"
            add_problem(s, w, "张三", "xiaoli", text, FROZEN_NOW)

    reply = wc.say("zhenzhang", "问题")

    assert reply.startswith("【问题清单】")
    assert len(reply.encode("utf-8")) <= 2048
    with runtime.unit_of_work() as s:
        rows = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        rest = [(r.recipient, r.payload["text"]["content"], r.dedupe_key) for r in rows]
    assert rest and {to for to, _, _ in rest} == {"zhenzhang"}
    assert all(len(text.encode("utf-8")) <= 2048 for _, text, _ in rest)
    whole = "\n".join([reply] + [text for _, text, _ in rest])
    assert whole.count("村道路灯坏了") == 20  # the listing's 20 items, none lost
    assert whole.index("#1 ") < whole.index("#20 ") and whole.rstrip().endswith("交办。")
    assert len({key for _, _, key in rest}) == len(rest)


def test_short_reply_queues_nothing(wc, runtime):
    with runtime.unit_of_work() as s:
        build_world(s)
    assert wc.say("zhenzhang", "问题") == "没有符合条件的问题。"
    with runtime.unit_of_work() as s:
        assert s.scalars(select(OutboxMessage)).all() == []
