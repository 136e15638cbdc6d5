"""Apply one callback exactly once: the unit of work behind ``POST /wecom/callback``.

In: a parsed :class:`Incoming`. Out: an :class:`Applied` with the reply text and an
outcome word for the log. Steps, all in ONE transaction:

1. Unknown userid (no active cadre): the ``unknown_user`` handler answers and
   writes one audit row; nothing else is written (no session, no dedupe row).
2. Lock the user's :class:`DialogSession` row (PostgreSQL: an upsert that
   returns the row and holds its lock; SQLite: every transaction is
   ``BEGIN IMMEDIATE``, which already serialises writers). Callbacks of one
   user thus apply one at a time, in the order they take the lock.
3. Seen this ``dedupe_key`` before (a WeCom retry)? Return the stored reply,
   apply nothing.
4. Dispatch to the router, store the reply in the :class:`InboundMessage` row, commit.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from bot.handlers import router
from bot.handlers.base import HandlerContext, Incoming, UserState
from bot.runtime import Runtime
from storage.models import DialogSession, InboundMessage


@dataclass(frozen=True)
class Applied:
    reply: str
    outcome: str  # applied | replay | unknown_user


NEW_DIALOG = {"state": "idle", "data": {}, "version": 0}


@functools.cache
def _pg_upsert_dialog() -> ReturningInsert[Any]:
    """Built once: constructing the statement costs more than running it."""
    base = postgresql.insert(DialogSession).values(
        userid=bindparam("userid"), updated_at=bindparam("now"), **NEW_DIALOG
    )
    upsert = base.on_conflict_do_update(
        index_elements=["userid"], set_={"userid": base.excluded.userid}
    )
    return upsert.returning(DialogSession)


SQLITE_ADD_DIALOG = (
    sqlite.insert(DialogSession)
    .values(userid=bindparam("userid"), updated_at=bindparam("now"), **NEW_DIALOG)
    .on_conflict_do_nothing(index_elements=["userid"])
)
DIALOG = select(DialogSession).where(DialogSession.userid == bindparam("userid"))
RECORD = insert(InboundMessage)
SEEN = select(InboundMessage.reply).where(InboundMessage.dedupe_key == bindparam("key"))


def lock_dialog(session: Session, userid: str, ctx: HandlerContext) -> DialogSession:
    """Create the user's DialogSession if missing and lock it until the transaction ends.

    PostgreSQL: ``INSERT … ON CONFLICT (userid) DO UPDATE … RETURNING`` takes the row
    lock whether the row is new or not, in one round trip (a concurrent callback of
    the same user waits here until we commit). SQLite: the transaction already holds
    the database write lock (``BEGIN IMMEDIATE``); insert-if-missing, then read
    (no RETURNING, so SQLite 3.24+ is enough).
    """
    params = {"userid": userid, "now": ctx.now}
    options = {"populate_existing": True}
    if session.get_bind().dialect.name == "postgresql":
        row: DialogSession = session.scalars(
            _pg_upsert_dialog(), params, execution_options=options
        ).one()
        return row
    session.connection().execute(SQLITE_ADD_DIALOG, params)
    row = session.scalars(DIALOG, {"userid": userid}, execution_options=options).one()
    return row


def apply(
    runtime: Runtime,
    incoming: Incoming,
    handlers: Sequence[router.Handler] | None = None,
) -> Applied:
    """Run one callback in one unit of work; a replay returns the first reply unchanged."""
    ctx = HandlerContext(runtime=runtime, now=runtime.clock())
    with runtime.unit_of_work() as session:
        cadre = router.active_cadre(session, incoming.userid)
        if cadre is None:
            user = UserState(incoming.userid, None, None)
            reply = router.dispatch(session, ctx, incoming, handlers, user)
            return Applied(reply.text, "unknown_user")
        user = UserState(incoming.userid, cadre, lock_dialog(session, incoming.userid, ctx))
        seen = session.execute(SEEN, {"key": incoming.dedupe_key[:200]}).first()
        if seen is not None:
            return Applied(seen.reply or "", "replay")
        reply = router.dispatch(session, ctx, incoming, handlers, user)
        # Core insert on the session's connection: same transaction, no ORM flush cost.
        session.connection().execute(
            RECORD,
            {
                "dedupe_key": incoming.dedupe_key[:200],
                "userid": incoming.userid,
                "msg_type": incoming.msg_type if not incoming.event else f"event:{incoming.event}",
                "received_at": ctx.now,
                "reply": reply.text,
            },
        )
        return Applied(reply.text, "applied")
