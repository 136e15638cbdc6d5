"""Apply one callback exactly once: the unit of work behind ``POST /wecom/callback``.

In: a parsed :class:`Incoming`. Out: an :class:`Applied` with the reply text and an
outcome word for the log. Steps, all in ONE transaction (statements in
:mod:`storage.callbacks`, chosen so a plain message costs few round trips):

1. :func:`storage.callbacks.claim_callback`: one statement reads the active cadre, the
   user's :class:`DialogSession` row (created on a cadre's first callback) and whether
   the ``dedupe_key`` was applied. PostgreSQL: an upsert that returns the row and holds
   its lock, so one user's callbacks apply one at a time. SQLite: the transaction is
   :func:`storage.db.write_late`: it reads without the database's write lock and takes
   it at its first write, so other users' callbacks run meanwhile.
2. Unknown userid (no active cadre): the ``unknown_user`` handler answers and
   writes one audit row; nothing else is written (no session, no dedupe row).
3. Seen this ``dedupe_key`` before (a WeCom retry)? Return the stored reply,
   apply nothing.
4. Dispatch to the router. A reply over WeCom's 2048-byte passive limit is split on
   line boundaries (:func:`storage.outbox.split_text`): the first chunk is the passive
   reply, the rest are queued to the same user through the outbox, in order, in this
   same unit of work, followed by the reply's ``after`` payloads (a confirm card):
   one outbox group, so they go out in this order and hold nothing else back.
5. :func:`storage.callbacks.finish_callback`: the dialog row's UPDATE (if the handler
   changed it) checks the version read in step 1, and the dedupe row stores the passive
   reply (``ON CONFLICT DO NOTHING``); commit. If the key was taken meanwhile by a retry
   applied first, roll back and answer with that retry's stored reply. If the dialog row
   moved (another message of this user, SQLite only), roll back and apply this callback
   again with the write lock taken at BEGIN, so it applies on the new row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from bot.handlers import router
from bot.handlers.base import HandlerContext, Incoming, UserState
from bot.runtime import Runtime
from storage import callbacks, db, outbox


@dataclass(frozen=True)
class Applied:
    reply: str
    outcome: str  # applied | replay | unknown_user


class _AppliedMeanwhile(Exception):
    """A concurrent retry of this callback committed first: roll ours back."""


class _DialogMovedOn(Exception):
    """Another callback of this user changed the dialog row after we read it: roll back."""


def apply_callback(
    runtime: Runtime,
    incoming: Incoming,
    handlers: Sequence[router.Handler] | None = None,
) -> Applied:
    """Run one callback in one unit of work; a replay returns the first reply unchanged."""
    ctx = HandlerContext(runtime=runtime, now=runtime.clock())
    try:
        try:
            return _apply(runtime, ctx, incoming, handlers, write_late=True)
        except _DialogMovedOn:
            # Rare (one user's messages overlapping): apply it again from the new state,
            # holding SQLite's write lock from the start, so this time nothing can move.
            return _apply(runtime, ctx, incoming, handlers, write_late=False)
    except _AppliedMeanwhile:
        with runtime.unit_of_work() as session:
            return Applied(callbacks.stored_reply(session, incoming.dedupe_key) or "", "replay")


def _apply(
    runtime: Runtime,
    ctx: HandlerContext,
    incoming: Incoming,
    handlers: Sequence[router.Handler] | None,
    write_late: bool,
) -> Applied:
    key = incoming.dedupe_key
    with runtime.unit_of_work() as session:
        if write_late:
            db.write_late(session)
        claimed = callbacks.claim_callback(session, incoming.userid, key, ctx.now)
        user = UserState(incoming.userid, claimed.cadre, claimed.dialog)
        if claimed.cadre is None:
            reply = router.dispatch(session, ctx, incoming, user, handlers)
            return Applied(reply.text, "unknown_user")
        if claimed.seen_reply is not None:
            return Applied(claimed.seen_reply, "replay")
        reply = router.dispatch(session, ctx, incoming, user, handlers)
        first, *rest = outbox.split_text(reply.text)
        kind = incoming.msg_type if not incoming.event else f"event:{incoming.event}"
        finished = callbacks.finish_callback(session, claimed, key, kind, ctx.now, first)
        if finished == "moved":
            raise _DialogMovedOn
        if finished == "taken":
            raise _AppliedMeanwhile
        group = f"reply:{hashlib.sha1(key.encode()).hexdigest()}"
        for number, chunk in enumerate(rest, start=2):
            payload = outbox.text_payload(chunk)
            outbox.enqueue(
                session,
                "message",
                incoming.userid,
                payload,
                ctx.now,
                f"{group}#{number}",
                group_key=group,
            )
        for payload in reply.after:
            outbox.enqueue(session, "message", incoming.userid, payload, ctx.now, group_key=group)
        return Applied(first, "applied")
