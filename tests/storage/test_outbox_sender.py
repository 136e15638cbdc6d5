"""The sender's half of the outbox: claim_due takes due rows, record stores a send's result."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage import outbox
from storage.models import OutboxMessage
from tests.support.clock import FROZEN_NOW

NOW = FROZEN_NOW


def queue(session, user: str, text: str, **kw) -> OutboxMessage:
    row = outbox.enqueue(session, "message", user, outbox.text_payload(text), NOW, **kw)
    assert row is not None
    return row


def test_claim_counts_the_attempt_and_sets_the_lease(session):
    first = queue(session, "u1", "你好")
    queue(session, "u2", "下周的提醒", not_before=NOW + timedelta(days=7))
    session.commit()
    taken = outbox.claim_due(session, NOW, 10)
    session.commit()
    assert [(m.id, m.recipient, m.attempts) for m in taken] == [(first.id, "u1", 1)]
    assert taken[0].payload == outbox.text_payload("你好")
    row = session.get(OutboxMessage, first.id)
    assert row.next_attempt_at == NOW + outbox.CLAIM_LEASE
    assert outbox.claim_due(session, NOW, 10) == []  # leased: not due again yet
    assert [m.id for m in outbox.claim_due(session, NOW + outbox.CLAIM_LEASE, 10)] == [first.id]


def test_claim_keeps_a_group_in_order_and_lets_others_pass(session):
    part1 = queue(session, "u1", "第一部分", group_key="g")
    part2 = queue(session, "u1", "第二部分", group_key="g")
    other = queue(session, "u1", "别的消息")
    session.commit()
    assert [m.id for m in outbox.claim_due(session, NOW, 10)] == [part1.id, other.id]
    assert outbox.record(session, part1.id, "sent", NOW, "")
    assert outbox.record(session, other.id, "sent", NOW, "")
    assert [m.id for m in outbox.claim_due(session, NOW + outbox.CLAIM_LEASE, 10)] == [part2.id]


def test_record_stores_sent_retry_and_failure(session):
    a, b, c = (queue(session, u, "提醒") for u in ("u1", "u2", "u3"))
    session.commit()
    later = NOW + timedelta(minutes=1)
    assert outbox.record(session, a.id, "sent", later, "invaliduser: x")
    assert outbox.record(
        session, b.id, "pending", later, "errcode -1", later + timedelta(seconds=10)
    )
    assert outbox.record(session, c.id, "failed", later, "errcode 40003")
    session.commit()
    got = {r.recipient: r for r in session.scalars(select(OutboxMessage))}
    assert (got["u1"].status, got["u1"].sent_at, got["u1"].last_error) == (
        "sent",
        later,
        "invaliduser: x",
    )
    assert (got["u2"].status, got["u2"].next_attempt_at) == (
        "pending",
        later + timedelta(seconds=10),
    )
    assert (got["u3"].status, got["u3"].sent_at, got["u3"].last_error) == (
        "failed",
        None,
        "errcode 40003",
    )


def test_record_and_update_payload_change_what_is_kept(session):
    row = queue(session, "u1", "图")
    session.commit()
    outbox.update_payload(session, row.id, lambda p: {**p, "_upload": {"media_id": "m1"}})
    outbox.update_payload(session, row.id, lambda p: None)  # None keeps it
    session.commit()
    assert session.get(OutboxMessage, row.id).payload["_upload"] == {"media_id": "m1"}
    assert outbox.record(session, row.id, "sent", NOW, "", payload=lambda p: {"msgtype": "image"})
    session.commit()
    assert session.get(OutboxMessage, row.id).payload == {"msgtype": "image"}


def test_record_on_a_deleted_row_says_so(session):
    row = queue(session, "u1", "提醒")
    session.commit()
    session.delete(row)
    session.commit()
    assert outbox.record(session, row.id, "sent", NOW, "") is False
