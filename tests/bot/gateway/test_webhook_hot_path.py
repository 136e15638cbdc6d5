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
from datetime import timedelta

from sqlalchemy import Engine, event, func, select

from bot.gateway.apply import Applied, apply_callback
from bot.handlers.base import HandlerContext, HandlerReply, Incoming, UserState
from bot.runtime import Runtime
from storage import callbacks
from storage.models import (
    Assignment,
    AuditLog,
    Cadre,
    Campaign,
    DialogSession,
    InboundMessage,
    Target,
    Visit,
)
from tests.support.clock import FROZEN_NOW
from tests.support.db import statements_from, wait_until_lock_wait
from tests.support.ledger import add_problem, build_world
from tests.support.wecom import WecomTestClient

# Statements the engine runs for one "帮助" from an idle known user (COMMIT and
# psycopg's implicit BEGIN are not cursor executions, so they are not counted):
# PostgreSQL: claim (cadre + dialog lock + dedupe lookup in one WITH), record.
# SQLite: BEGIN (deferred: storage.db.write_late), the joined read, record.
HOT_PATH_STATEMENTS = {"postgresql": 2, "sqlite": 3}
MARGIN = 0  # the budgets are what the code reaches: a statement more is a regression


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
    # retry has started and is waiting for the lock (PostgreSQL: the dialog row's;
    # SQLite: the write lock, which the retry asks for at its first write).
    with statements_from(runtime.engine, "retry") as sent:
        with runtime.unit_of_work() as s:
            claimed = callbacks.claim_callback(s, cadre, msg.dedupe_key, runtime.clock())
            assert claimed.seen_reply is None
            thread.start()
            first_holds_lock.set()
            wait_until_lock_wait(runtime.engine, thread, sent)
            user = UserState(cadre, claimed.cadre, claimed.dialog)
            reply = handler.handle(s, HandlerContext(runtime, runtime.clock()), msg, user)
            assert callbacks.save_dialog(s, claimed)
            assert callbacks.record_applied(
                s, msg.dedupe_key, cadre, "text", runtime.clock(), reply.text
            )
        thread.join(10)
    assert results == [Applied("第1条", "replay")]
    # PostgreSQL: the retry's claim read a snapshot from before our commit; SQLite: it read
    # without the write lock. Either way it ran the handler, then met the moved dialog row
    # (or the taken key), rolled back, and found the key on its second claim.
    assert handler.calls == 2
    with runtime.unit_of_work() as s:
        dialog = s.scalar(select(DialogSession).where(DialogSession.userid == cadre))
        assert dialog is not None and dialog.data == {"seen": ["42"]}
        keys = s.scalars(select(InboundMessage.dedupe_key)).all()
        assert sorted(keys) == [callbacks.stored_key(msg.dedupe_key)]


# Statements for 进度 and 问题 (the commands people send most after dialog steps),
# measured on both backends; a regression to per-row queries shows up as a number, not
# a timing. The budgets do not grow with the households: they are counts of statements.
COMMAND_STATEMENTS = {
    # claim (with the campaign), deadline, one coverage aggregate, record (with the dialog
    # row's update: one statement on PostgreSQL, storage.callbacks.finish_callback)
    ("postgresql", "cadre 进度"): 4,
    # claim, unit name, subtree (once per callback: storage.units.remember_subtrees), one
    # coverage aggregate (by ids) and the names of its units and cadres, problems by
    # status, overdue ones, record
    ("postgresql", "leader 进度"): 8,
    # 问题 also asks which phone numbers the viewer may see whole and writes the page's
    # audit row (a bulk view of personal data)
    ("postgresql", "cadre 问题"): 7,
    ("postgresql", "leader 问题"): 7,
}
# BEGIN, and the dialog row's UPDATE is its own statement (PostgreSQL folds it into the
# dedupe row's INSERT)
SQLITE_EXTRA = 2


def seed_town(runtime: Runtime, households: int) -> None:
    """The ledger world with ``households`` more households of 一村, half visited, and
    problems on a few."""
    with runtime.unit_of_work() as s:
        w = build_world(s)
        campaign_id = s.scalars(select(Campaign.id)).one()
        for n in range(households):
            target = Target(head_name=f"户{n}", unit_id=w.unit("一村"), grid=f"{n % 3}组")
            s.add(target)
            s.flush()
            cadre = w.cadre("xiaoli" if n % 2 else "xiaowang")
            s.add(Assignment(campaign_id=campaign_id, target_id=target.id, cadre_id=cadre.id))
            if n % 2 == 0:
                at = FROZEN_NOW - timedelta(hours=n + 1)
                s.add(
                    Visit(
                        campaign_id=campaign_id,
                        target_id=target.id,
                        cadre_id=cadre.id,
                        template="yizou_erwen_sankan",
                        outcome="visited",
                        started_at=at,
                        submitted_at=at,
                    )
                )
        for n in range(min(households, 6)):
            add_problem(
                s, w, "张三", "xiaoli", f"第{n}号：屋顶漏水", FROZEN_NOW - timedelta(days=n)
            )


def statements_of(runtime: Runtime, wc: WecomTestClient, userid: str, text: str) -> int:
    """SQL statements of one callback, after a first one of the same kind."""
    assert wc.say(userid, text)
    with counting(runtime.engine) as statements:
        reply = wc.say(userid, text)
    assert reply
    return len(statements)


def test_progress_and_problem_lists_run_a_fixed_number_of_statements(
    runtime: Runtime, wc: WecomTestClient
) -> None:
    seed_town(runtime, households=4)
    small = {
        "cadre 进度": statements_of(runtime, wc, "xiaoli", "进度"),
        "leader 进度": statements_of(runtime, wc, "zhenzhang", "进度"),
        "cadre 问题": statements_of(runtime, wc, "xiaoli", "问题"),
        "leader 问题": statements_of(runtime, wc, "zhenzhang", "问题"),
    }
    with runtime.unit_of_work() as s:  # 40 more households for 小李
        w_campaign = s.scalars(select(Campaign.id)).one()
        village = s.scalars(select(Target.unit_id).where(Target.head_name == "户0")).one()
        xiaoli = s.scalars(select(Cadre.id).where(Cadre.userid == "xiaoli")).one()
        for n in range(40):
            target = Target(head_name=f"新户{n}", unit_id=village, grid="9组")
            s.add(target)
            s.flush()
            s.add(Assignment(campaign_id=w_campaign, target_id=target.id, cadre_id=xiaoli))
    large = {
        "cadre 进度": statements_of(runtime, wc, "xiaoli", "进度"),
        "leader 进度": statements_of(runtime, wc, "zhenzhang", "进度"),
        "cadre 问题": statements_of(runtime, wc, "xiaoli", "问题"),
        "leader 问题": statements_of(runtime, wc, "zhenzhang", "问题"),
    }
    dialect = runtime.engine.dialect.name
    assert large == small  # more households, not more statements
    extra = SQLITE_EXTRA if dialect == "sqlite" else 0
    for command, count in large.items():
        assert count <= COMMAND_STATEMENTS[("postgresql", command)] + extra + MARGIN, command
