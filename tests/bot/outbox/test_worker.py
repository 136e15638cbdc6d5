"""The outbox sender against the fake WeCom: outages, retries, failure, batching."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

import requests
from sqlalchemy import select

from bot.devtools.fakewecom import RunningFake
from bot.outbox.worker import DrainCounts, drain_once
from bot.runtime import Runtime
from storage import outbox
from storage.models import OutboxMessage
from tests.support.clock import MutableClock
from tests.support.config import LATE


def control(fake: RunningFake, **cmd: object) -> None:
    requests.post(f"{fake.url}/fake/control", json=cmd, timeout=5).raise_for_status()


def queue_texts(runtime: Runtime, *users: str) -> None:
    with runtime.unit_of_work() as s:
        for u in users:
            outbox.enqueue(s, "message", u, outbox.text_payload(f"给{u}的提醒"), runtime.clock())


def rows(runtime: Runtime) -> list[OutboxMessage]:
    with runtime.unit_of_work() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def sent_to(fake: RunningFake) -> list[str]:
    return ["|".join(r["to"]) for r in fake.state.records if r["api"] == "message/send"]


def test_outage_keeps_messages_then_delivers_all_after_recovery(
    api_runtime: Runtime, fake: RunningFake, clock: MutableClock
) -> None:
    queue_texts(api_runtime, "u1", "u2", "u3")
    control(fake, errcode=-1, count=1000)  # WeCom: "system busy" for everything
    assert drain_once(api_runtime) == DrainCounts(retrying=3)
    for row in rows(api_runtime):
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.next_attempt_at == clock.now + timedelta(seconds=10)
        assert "errcode -1" in row.last_error
    assert sent_to(fake) == []

    control(fake, reset=True)
    assert drain_once(api_runtime) == DrainCounts()  # not due yet: backing off
    clock.advance(seconds=10)
    assert drain_once(api_runtime) == DrainCounts(sent=3)
    assert sorted(sent_to(fake)) == ["u1", "u2", "u3"]
    assert [(r.status, r.attempts, r.sent_at) for r in rows(api_runtime)] == [
        ("sent", 2, clock.now)
    ] * 3


def test_unreachable_wecom_is_retried_with_growing_backoff_then_failed(
    api_runtime: Runtime, fake: RunningFake, clock: MutableClock
) -> None:
    queue_texts(api_runtime, "u1")
    fake.stop()  # connection refused from now on
    delays = []
    for _ in range(3):
        start = clock.now
        counts = drain_once(api_runtime)
        row = rows(api_runtime)[0]
        delays.append(row.next_attempt_at - start)
        clock.now = row.next_attempt_at
    assert counts == DrainCounts(failed=1)  # max_attempts = 3
    row = rows(api_runtime)[0]
    assert (row.status, row.attempts) == ("failed", 3)
    assert "ConnectionError" in row.last_error
    assert delays[:2] == [timedelta(seconds=10), timedelta(seconds=20)]


def test_rate_limit_waits_at_least_a_minute(
    api_runtime: Runtime, fake: RunningFake, clock: MutableClock
) -> None:
    queue_texts(api_runtime, "u1")
    control(fake, errcode=45009, count=1)
    drain_once(api_runtime)
    assert rows(api_runtime)[0].next_attempt_at == clock.now + timedelta(seconds=60)


def test_error_retrying_cannot_fix_fails_at_once_with_the_reason(
    api_runtime: Runtime, fake: RunningFake
) -> None:
    queue_texts(api_runtime, "u1")
    control(fake, errcode=81013, count=1)
    assert drain_once(api_runtime) == DrainCounts(failed=1)
    row = rows(api_runtime)[0]
    assert row.status == "failed" and "81013" in row.last_error and "可见范围" in row.last_error


def test_many_users_go_out_in_sends_of_1000(api_runtime: Runtime, fake: RunningFake) -> None:
    users = [f"user{i:04d}" for i in range(1500)]
    with api_runtime.unit_of_work() as s:
        outbox.enqueue_to_users(s, users, outbox.text_payload("本周讲评"), api_runtime.clock())
    assert drain_once(api_runtime) == DrainCounts(sent=2)
    sends = [r for r in fake.state.records if r["api"] == "message/send"]
    assert [len(r["to"]) for r in sends] == [1000, 500]
    assert sorted(u for r in sends for u in r["to"]) == users


def test_every_channel_is_delivered(api_runtime: Runtime, fake: RunningFake) -> None:
    now = api_runtime.clock()
    with api_runtime.unit_of_work() as s:
        outbox.enqueue(s, "appchat", "chat1", outbox.markdown_payload("进度"), now)
        outbox.enqueue(s, "robot", "key1", outbox.text_payload("提醒"), now)
        outbox.enqueue(
            s,
            "update_card",
            "u1",
            {"response_code": "rc", "button": {"replace_name": "已处理"}},
            now,
        )
    assert drain_once(api_runtime) == DrainCounts(sent=3)
    got = {r["api"]: r for r in fake.state.records}
    assert got["appchat/send"]["body"]["chatid"] == "chat1"
    assert got["webhook/send"]["to"] == ["robot:key1"]
    assert got["message/update_template_card"]["body"]["userids"] == ["u1"]


def test_two_workers_draining_at_once_send_each_row_once(
    api_runtime: Runtime, fake: RunningFake
) -> None:
    queue_texts(api_runtime, *[f"u{i}" for i in range(12)])
    results: list[DrainCounts] = []
    workers = [
        threading.Thread(target=lambda: results.append(drain_once(api_runtime))) for _ in range(2)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sum(r.sent for r in results) == 12
    assert sorted(sent_to(fake)) == sorted(f"u{i}" for i in range(12))


class SlowWecom:
    """A WeCom that takes two minutes per send; meanwhile a second worker polls."""

    def __init__(self, runtime: Runtime, clock: MutableClock) -> None:
        self.runtime, self.clock = runtime, clock
        self.sent: list[str] = []
        self.taken_by_other: set[str] = set()
        self.other_polls = True

    def send_message(self, recipient: str, payload: dict) -> dict:
        self.sent.append(recipient)
        self.clock.advance(minutes=2)
        if self.other_polls:
            with self.runtime.unit_of_work() as s:  # the other worker's pass
                for item in outbox.claim_due(s, self.clock.now, 50):
                    self.taken_by_other.add(item.recipient)
        return {"errcode": 0}


def test_a_slow_batch_never_sends_a_row_another_worker_took_over(
    api_runtime: Runtime, clock: MutableClock
) -> None:
    cfg = api_runtime.config
    api_runtime.config = replace(cfg, outbox=replace(cfg.outbox, batch_size=50))
    queue_texts(api_runtime, "u1", "u2", "u3", "u4", "u5")
    wecom = SlowWecom(api_runtime, clock)
    drain_once(api_runtime, wecom)  # type: ignore[arg-type]
    assert wecom.sent, "the first rows go out"
    assert set(wecom.sent).isdisjoint(wecom.taken_by_other)
    wecom.other_polls = False
    for _ in range(3):  # the rest are sent after their lease, once each
        clock.advance(minutes=10)
        drain_once(api_runtime, wecom)  # type: ignore[arg-type]
    assert sorted(wecom.sent) == ["u1", "u2", "u3", "u4", "u5"]
    assert [r.status for r in rows(api_runtime)] == ["sent"] * 5


def sent_texts(fake: RunningFake, user: str) -> list[str]:
    return [
        r["body"]["text"]["content"]
        for r in fake.state.records
        if r["api"] == "message/send" and r["to"] == [user] and "text" in r["body"]
    ]


def test_parts_of_a_split_message_arrive_in_order_while_other_messages_pass(
    api_runtime: Runtime, fake: RunningFake, clock: MutableClock
) -> None:
    """Part 2 never overtakes a part 1 that is backing off; the person's other
    message (not part of that text) is not held back by it."""
    long_text = "\n".join(f"第{i}段" + "字" * 600 for i in range(1, 4))  # 3 parts of ~1.8 KB
    with api_runtime.unit_of_work() as s:
        outbox.enqueue(s, "message", "u1", outbox.text_payload(long_text), clock.now)
        outbox.enqueue(s, "message", "u1", outbox.text_payload("别的消息"), clock.now)
    assert len(rows(api_runtime)) == 4
    control(fake, errcode=-1, count=1)  # part 1's first send fails: it backs off 10 s
    assert drain_once(api_runtime) == DrainCounts(sent=1, retrying=1)
    assert sent_texts(fake, "u1") == ["别的消息"]
    for _ in range(3):
        clock.advance(seconds=10)
        drain_once(api_runtime)
    parts = [t[:2] for t in sent_texts(fake, "u1")[1:]]
    assert parts == ["第1", "第2", "第3"]
    assert {r.status for r in rows(api_runtime)} == {"sent"}


def test_slow_wecom_delivers_a_message_once(
    api_runtime: Runtime, fake: RunningFake, clock: MutableClock
) -> None:
    """WeCom delivers, then answers after the client's read timeout:
    the row backs off like any failure, and the later resend is dropped by WeCom's
    duplicate check, so the person sees the message once."""
    queue_texts(api_runtime, "u1")
    control(fake, slow_answer_seconds=LATE, count=1)
    assert drain_once(api_runtime) == DrainCounts(retrying=1)
    row = rows(api_runtime)[0]
    assert (row.status, row.attempts) == ("pending", 1) and "ReadTimeout" in row.last_error
    clock.advance(seconds=10)
    assert drain_once(api_runtime) == DrainCounts(sent=1)
    stats = requests.get(f"{fake.url}/fake/stats", timeout=5).json()
    assert (stats["deliveries"], stats["duplicates"]) == (1, 1)
    assert [(r.status, r.attempts) for r in rows(api_runtime)] == [("sent", 2)]


def test_rows_a_dead_sender_claimed_are_sent_after_the_configured_claim_lease(
    api_runtime: Runtime, fake: RunningFake, clock: MutableClock
) -> None:
    cfg = api_runtime.config
    api_runtime.config = replace(cfg, outbox=replace(cfg.outbox, claim_lease_seconds=20.0))
    queue_texts(api_runtime, "u1")
    with api_runtime.unit_of_work() as s:  # a sender claims the row, then is killed
        assert len(outbox.claim_due(s, clock.now, 10, timedelta(seconds=20))) == 1
    assert drain_once(api_runtime) == DrainCounts()  # still under the dead sender's lease
    clock.advance(seconds=21)
    assert drain_once(api_runtime) == DrainCounts(sent=1)
    assert sent_to(fake) == ["u1"]
