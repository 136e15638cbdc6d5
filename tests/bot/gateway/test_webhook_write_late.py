"""Callbacks read without SQLite's write lock and take it at their first write.

Two callbacks can therefore both be inside their handlers at once on SQLite (on
PostgreSQL the claim's row lock keeps a second callback of the same user out, see
test_webhook_hot_path.py). These tests put two real threads inside the handler together
(a barrier, no sleeps) and check what the write must still guarantee: a retried message
(same MsgId) is applied once and answered twice alike; two different messages of one user
are both applied, neither losing the other's dialog update.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from bot.gateway.apply import Applied, apply_callback
from bot.handlers.base import HandlerContext, HandlerReply, Incoming, UserState
from bot.runtime import Runtime
from storage import outbox
from storage.models import DialogSession, InboundMessage, OutboxMessage


class MeetInside:
    """Appends the message to the dialog data and queues an outbox row; its first two
    calls wait for each other inside the handler, i.e. after both claims have read."""

    name = "meet_inside"

    def __init__(self, meet: bool = True) -> None:
        self.barrier = threading.Barrier(2, timeout=30)
        self.meet = meet
        self.calls = 0
        self.lock = threading.Lock()

    def matches(self, incoming: Incoming, user: UserState) -> bool:
        return True

    def handle(
        self, session, ctx: HandlerContext, incoming: Incoming, user: UserState
    ) -> HandlerReply:  # type: ignore[no-untyped-def]
        with self.lock:
            self.calls += 1
            first_two = self.meet and self.calls <= 2
        if first_two:
            self.barrier.wait()
        assert user.dialog is not None
        seen = [*user.dialog.data.get("seen", []), incoming.content]
        user.dialog.data = {"seen": seen}
        outbox.enqueue(
            session, "message", incoming.userid, outbox.text_payload(incoming.content), ctx.now
        )
        return HandlerReply(f"第{len(seen)}条")


def both_at_once(runtime: Runtime, handler: MeetInside, first: Incoming, second: Incoming):  # type: ignore[no-untyped-def]
    results: dict[str, Applied] = {}

    def run(name: str, msg: Incoming) -> None:
        results[name] = apply_callback(runtime, msg, [handler])

    threads = [
        threading.Thread(target=run, args=("a", first)),
        threading.Thread(target=run, args=("b", second)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    return results


# SQLite only (the database is a parameter of db_url): on PostgreSQL the claim locks the
# dialog row, so no two handlers of one user ever run at once.
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@sqlite_only
def test_same_message_twice_inside_the_handler_is_applied_once(
    runtime: Runtime, cadre: str
) -> None:
    msg = Incoming(userid=cadre, msg_type="text", create_time=1, msg_id="77", content="x")
    handler = MeetInside()
    apply_callback(
        runtime, Incoming(cadre, "text", 0, msg_id="0", content="w"), [MeetInside(meet=False)]
    )
    # ^ a first message creates the dialog row (a write, which takes the lock early)
    results = both_at_once(runtime, handler, msg, msg)
    assert sorted(r.outcome for r in results.values()) == ["applied", "replay"]
    assert results["a"].reply == results["b"].reply == "第2条"
    assert handler.calls == 2  # the loser rolled back and found the key on its second claim
    with runtime.unit_of_work() as s:
        dialog = s.scalars(select(DialogSession).where(DialogSession.userid == cadre)).one()
        assert dialog.data == {"seen": ["w", "x"]}
        assert s.scalar(select(func.count()).select_from(InboundMessage)) == 2
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 2  # w's and x's, once


@sqlite_only
def test_two_messages_of_one_user_inside_the_handler_lose_nothing(
    runtime: Runtime, cadre: str
) -> None:
    apply_callback(
        runtime, Incoming(cadre, "text", 0, msg_id="0", content="w"), [MeetInside(meet=False)]
    )
    handler = MeetInside()
    one = Incoming(userid=cadre, msg_type="text", create_time=1, msg_id="1", content="one")
    two = Incoming(userid=cadre, msg_type="text", create_time=2, msg_id="2", content="two")
    results = both_at_once(runtime, handler, one, two)
    assert sorted(r.reply for r in results.values()) == ["第2条", "第3条"]
    assert {r.outcome for r in results.values()} == {"applied"}
    assert handler.calls == 3  # the one whose dialog row moved ran again, from the new row
    with runtime.unit_of_work() as s:
        dialog = s.scalars(select(DialogSession).where(DialogSession.userid == cadre)).one()
        assert dialog.data["seen"][0] == "w"
        assert sorted(dialog.data["seen"][1:]) == ["one", "two"]
        assert dialog.version == 3
        assert s.scalar(select(func.count()).select_from(InboundMessage)) == 3
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 3
