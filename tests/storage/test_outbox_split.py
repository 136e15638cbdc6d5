"""Outbound text stays within WeCom's byte limits: split_text and enqueue."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from storage.models import OutboxMessage
from storage.outbox import (
    TEXT_LIMIT,
    enqueue,
    enqueue_to_users,
    markdown_payload,
    split_text,
    text_payload,
)
from tests.support.clock import FROZEN_NOW


def nbytes(text: str) -> int:
    return len(text.encode("utf-8"))


def test_short_text_is_one_chunk():
    assert split_text("你好\n世界") == ["你好\n世界"]
    assert split_text("") == [""]


def test_splits_on_line_boundaries_within_the_limit():
    lines = [f"#{i} [登记] 房屋土地/困难需求 张三：屋顶漏水好几年了" for i in range(100)]
    chunks = split_text("\n".join(lines))
    assert len(chunks) > 1
    assert all(nbytes(c) <= TEXT_LIMIT for c in chunks)
    assert "\n".join(chunks) == "\n".join(lines)  # whole lines, nothing lost or reordered
    assert all(c.split("\n")[0] in lines for c in chunks)


def test_a_single_overlong_line_is_cut_hard_but_never_inside_a_character():
    line = "漏" * 1000  # 3000 bytes, no newline
    chunks = split_text(line, 2048)
    assert "".join(chunks) == line
    assert [nbytes(c) for c in chunks] == [2046, 954]


@given(st.text(alphabet=st.sampled_from("a漏😀\n "), max_size=300), st.integers(4, 64))
def test_split_invariants(text, limit):
    chunks = split_text(text, limit)
    assert all(nbytes(c) <= limit for c in chunks)
    assert "".join(chunks).replace("\n", "") == text.replace("\n", "")
    if nbytes(text) <= limit:
        assert chunks == [text]


def rows(session):
    return session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_enqueue_splits_long_text_into_rows_in_order(session):
    lines = [f"第{i}行：张三家屋顶漏水，已交办镇综治办" for i in range(200)]
    text = "\n".join(lines)
    first = enqueue(session, "message", "zhangsan", text_payload(text), FROZEN_NOW, "digest:1")
    queued = rows(session)
    assert len(queued) > 2 and first is queued[0]
    parts = [r.payload["text"]["content"] for r in queued]
    assert all(nbytes(p) <= 2048 for p in parts)
    assert "\n".join(parts) == text
    keys = [r.dedupe_key for r in queued]
    assert keys[0] == "digest:1" and len(set(keys)) == len(keys)
    assert {r.recipient for r in queued} == {"zhangsan"}
    assert {r.group_key for r in queued} == {f"split:{first.id}"}  # sent in order, as one
    # the same key again adds nothing
    assert (
        enqueue(session, "message", "zhangsan", text_payload(text), FROZEN_NOW, "digest:1") is None
    )
    assert len(rows(session)) == len(queued)


def test_a_short_message_is_in_no_group_unless_the_caller_names_one(session):
    alone = enqueue(session, "message", "u1", text_payload("短"), FROZEN_NOW)
    grouped = enqueue(session, "message", "u1", text_payload("短"), FROZEN_NOW, group_key="g1")
    assert alone is not None and grouped is not None
    assert (alone.group_key, grouped.group_key) == (None, "g1")


def test_enqueue_markdown_uses_the_4096_limit(session):
    text = "\n".join(["> **虹桥镇** 本周走访 12 户"] * 200)
    enqueue_to_users(session, ["a", "b"], markdown_payload(text), FROZEN_NOW, "md")
    parts = [r.payload["markdown"]["content"] for r in rows(session)]
    assert len(parts) > 1 and any(nbytes(p) > 2048 for p in parts)
    assert all(nbytes(p) <= 4096 for p in parts)
    assert "\n".join(parts) == text


def test_enqueue_leaves_short_and_non_text_payloads_alone(session):
    enqueue(session, "robot", "key", text_payload("短消息"), FROZEN_NOW)
    card = {"msgtype": "template_card", "template_card": {"desc": "漏" * 3000}}
    enqueue(session, "message", "u", card, FROZEN_NOW)
    assert [r.payload for r in rows(session)] == [text_payload("短消息"), card]


def test_robot_mentions_stay_on_the_first_part_only(session):
    payload = text_payload("\n".join(["请以下干部抓紧完成走访任务"] * 200))
    payload["text"]["mentioned_list"] = ["zhangsan", "lisi"]
    enqueue(session, "robot", "robot-key", payload, FROZEN_NOW)
    bodies = [r.payload["text"] for r in rows(session)]
    assert len(bodies) > 1
    assert bodies[0]["mentioned_list"] == ["zhangsan", "lisi"]
    assert all("mentioned_list" not in b for b in bodies[1:])
