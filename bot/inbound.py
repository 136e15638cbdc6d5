"""Apply one callback exactly once: the unit of work behind ``POST /wecom/callback``.

In: a parsed :class:`Incoming`. Out: an :class:`Applied` with the reply text and an
outcome word for the log. Steps, all in ONE transaction:

1. Unknown userid (no active cadre): the ``unknown_user`` handler answers and
   writes one audit row; nothing else is written (no session, no dedupe row).
2. Lock the user's :class:`DialogSession` row (PostgreSQL: upsert, then
   ``SELECT … FOR UPDATE``; SQLite: every transaction is ``BEGIN IMMEDIATE``,
   which already serialises writers). Callbacks of one user thus apply one at a
   time, in the order they take the lock.
3. Seen this ``dedupe_key`` before (a WeCom retry)? Return the stored reply,
   apply nothing.
4. Dispatch to the router, store the reply in the :class:`InboundMessage` row, commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.handlers import router
from bot.handlers.base import HandlerContext, Incoming
from bot.runtime import Runtime
from storage.models import DialogSession, InboundMessage


@dataclass(frozen=True)
class Applied:
    reply: str
    outcome: str  # applied | replay | unknown_user


def lock_dialog(session: Session, userid: str, ctx: HandlerContext) -> DialogSession:
    """Create the user's DialogSession if missing and lock it for this transaction."""
    dialect = session.get_bind().dialect.name
    values = {"userid": userid, "state": "idle", "data": {}, "version": 0, "updated_at": ctx.now}
    if dialect == "postgresql":
        pg = postgresql.insert(DialogSession).values(**values)
        session.execute(pg.on_conflict_do_nothing(index_elements=["userid"]))
    else:
        lite = sqlite.insert(DialogSession).values(**values)
        session.execute(lite.on_conflict_do_nothing(index_elements=["userid"]))
    query = select(DialogSession).where(DialogSession.userid == userid)
    if dialect == "postgresql":
        query = query.with_for_update()
    return session.scalars(query.execution_options(populate_existing=True)).one()


def apply(
    runtime: Runtime,
    incoming: Incoming,
    handlers: Sequence[router.Handler] | None = None,
) -> Applied:
    """Run one callback in one unit of work; a replay returns the first reply unchanged."""
    ctx = HandlerContext(runtime=runtime, now=runtime.clock())
    with runtime.unit_of_work() as session:
        if router.active_cadre(session, incoming.userid) is None:
            reply = router.dispatch(session, ctx, incoming, handlers)
            return Applied(reply.text, "unknown_user")
        lock_dialog(session, incoming.userid, ctx)
        seen = session.scalar(
            select(InboundMessage).where(InboundMessage.dedupe_key == incoming.dedupe_key)
        )
        if seen is not None:
            return Applied(seen.reply or "", "replay")
        reply = router.dispatch(session, ctx, incoming, handlers)
        session.add(
            InboundMessage(
                dedupe_key=incoming.dedupe_key[:200],
                userid=incoming.userid,
                msg_type=incoming.msg_type if not incoming.event else f"event:{incoming.event}",
                received_at=ctx.now,
                reply=reply.text,
            )
        )
        return Applied(reply.text, "applied")
