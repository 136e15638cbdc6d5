"""The per-callback database cost of the webhook, and the race its dedupe must survive.

A plain text callback of an idle, known user is the commonest request: its SQL
statement count is pinned here so the hot path does not silently grow again
(see benchmarks/webhook.py for throughput). The race test holds a user's turn
open while a retry of the same message waits for it, and checks the retry is
answered from the stored reply, not applied a second time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event, func, select

from bot.gateway.apply import Applied, apply_callback
from bot.handlers.base import HandlerContext, HandlerReply, Incoming, UserState
from bot.runtime import Runtime
from storage import callbacks
from storage.models import AuditLog, DialogSession, InboundMessage
from tests.support.db import statements_from, wait_until_lock_wait
from tests.support.wecom import WecomTestClient

# Statements the engine runs for one "帮助" from an idle known user (COMMIT and
# psycopg's implicit BEGIN are not cursor executions, so they are not counted):
# PostgreSQL: claim (cadre + dialog lock + dedupe lookup in one WITH), record.
# SQLite: BEGIN IMMEDIATE, insert-dialog-if-missing, joined read, record.
HOT_PATH_STATEMENTS = {"postgresql": 2, "sqlite": 4}
MARGIN = 1


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_idle_known_user_text_callback_runs_few_statements(
    runtime: Runtime, wc: WecomTestClient, cadre: str
) -> None:
    assert wc.say(cadre, "帮助")  # the first message creates the dialog row
    with counting(runtime.engine) as statements:
        for _ in range(3):
            assert wc.say(cadre, "帮助")
    per_callback = len(statements) / 3
    limit = HOT_PATH_STATEMENTS[runtime.engine.dialect.name] + MARGIN
    assert per_callback <= limit, "\n".join(statements)
    with runtime.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(InboundMessage)) >= 4


def test_unknown_user_writes_no_dialog_and_no_dedupe_row(
    runtime: Runtime, wc: WecomTestClient
) -> None:
    assert "管理员" in wc.say("stranger", "帮助")
    with runtime.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(DialogSession)) == 0
        assert s.scalar(select(func.count()).select_from(InboundMessage)) == 0
        assert s.scalar(select(func.count()).select_from(AuditLog)) == 1


class Counting:
    """A handler that appends to the dialog data, so a second application would show."""

    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    def matches(self, incoming: Incoming, user: UserState) -> bool:
        return True

    def handle(
        self, session, ctx: HandlerContext, incoming: Incoming, user: UserState
    ) -> HandlerReply:  # type: ignore[no-untyped-def]
        self.calls += 1
        assert user.dialog is not None
        user.dialog.data = {"seen": [*user.dialog.data.get("seen", []), incoming.msg_id]}
        return HandlerReply(f"第{len(user.dialog.data['seen'])}条")


def test_retry_waiting_on_the_lock_is_answered_from_the_stored_reply(
    runtime: Runtime, cadre: str
) -> None:
    msg = Incoming(userid=cadre, msg_type="text", create_time=1, msg_id="42", content="x")
    handler = Counting()
    with runtime.unit_of_work() as s:  # create the dialog row first
        callbacks.claim_callback(s, cadre, "msg:0", runtime.clock())
    results: list[Applied] = []
    first_holds_lock = threading.Event()

    def retry() -> None:
        first_holds_lock.wait(5)
        results.append(apply_callback(runtime, msg, [handler]))

    thread = threading.Thread(target=retry, name="retry")
    # The first delivery: claim the user's turn, apply, and commit only after the
    # retry has started (and, on PostgreSQL, is waiting for the row lock).
    with runtime.unit_of_work() as s, statements_from(runtime.engine, "retry") as sent:
        claimed = callbacks.claim_callback(s, cadre, msg.dedupe_key, runtime.clock())
        assert claimed.seen_reply is None
        thread.start()
        first_holds_lock.set()
        wait_until_lock_wait(runtime.engine, thread, sent)
        user = UserState(cadre, claimed.cadre, claimed.dialog)
        reply = handler.handle(s, HandlerContext(runtime, runtime.clock()), msg, user)
        assert callbacks.record_applied(
            s, msg.dedupe_key, cadre, "text", runtime.clock(), reply.text
        )
    thread.join(10)
    assert results == [Applied("第1条", "replay")]
    # PostgreSQL: the retry's claim read a snapshot from before our commit, so it ran
    # the handler, met the taken key and rolled back. SQLite: BEGIN IMMEDIATE made it
    # wait before reading, so its claim already saw the key.
    assert handler.calls == (2 if runtime.engine.dialect.name == "postgresql" else 1)
    with runtime.unit_of_work() as s:
        dialog = s.scalar(select(DialogSession).where(DialogSession.userid == cadre))
        assert dialog is not None and dialog.data == {"seen": ["42"]}
        keys = s.scalars(select(InboundMessage.dedupe_key)).all()
        assert sorted(keys) == [callbacks.stored_key(msg.dedupe_key)]
