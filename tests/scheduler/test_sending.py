"""Rate spreading: robots ≤ 20 a minute, a member ≤ 30 a minute, nothing dropped."""

from __future__ import annotations

from datetime import timedelta

from bot.config import GroupChat
from scheduler.sending import RECIPIENT_MAX, Spreader, batches, send_group, send_personal
from storage.outbox import text_payload
from tests.support.outbox import outbox


def test_messages_to_one_robot_are_three_seconds_apart(session, now):
    spreader = Spreader(session, now)
    robot = GroupChat(unit="东山村", robot_key="k1")
    other = GroupChat(unit="西河村", robot_key="k2")
    for i in range(25):
        send_group(session, spreader, robot, f"第{i}条", now)
    send_group(session, spreader, other, "另一个群", now)
    rows = outbox(session)
    times = [r.next_attempt_at for r in rows if r.recipient == "k1"]
    assert len(times) == 25  # nothing dropped
    assert times[0] == now and times[-1] == now + timedelta(seconds=3 * 24)
    assert all(b - a == timedelta(seconds=3) for a, b in zip(times, times[1:], strict=False))
    # At most 20 in any minute:
    assert max(sum(t <= s < t + timedelta(minutes=1) for s in times) for t in times) == 20
    assert next(r for r in rows if r.recipient == "k2").next_attempt_at == now  # its own pace


def test_a_member_already_waiting_for_messages_queues_behind_them(session, now):
    first = Spreader(session, now)
    for _ in range(3):
        send_personal(session, first, ["zhangsan"], text_payload("a"), now)
    later = Spreader(session, now)  # a second job run in the same minute
    send_personal(session, later, ["lisi", "zhangsan"], text_payload("b"), now)
    rows = outbox(session)
    assert [r.next_attempt_at - now for r in rows] == [timedelta(seconds=s) for s in (0, 2, 4, 6)]
    assert rows[-1].recipient == "lisi|zhangsan"


def test_many_users_are_split_into_sends_that_fit(session, now):
    users = [f"user{i:04d}" for i in range(2500)]
    sends = send_personal(session, Spreader(session, now), users, text_payload("hi"), now)
    rows = outbox(session)
    assert sends == len(rows) > 1
    assert [u for r in rows for u in r.recipient.split("|")] == users  # all, once, in order
    assert all(len(r.recipient) <= RECIPIENT_MAX for r in rows)


def test_batches_drop_duplicates_and_blanks():
    assert batches(["a", "b", "a", "", "c"]) == [["a", "b", "c"]]
    assert batches([]) == []
