"""The outbox: every message to WeCom is a row written in the caller's transaction.

A sender worker (``bot.outbox.worker``) takes due rows with :func:`claim_due`, sends
them, and stores each send's result with :func:`record` (it decides; this module
writes). Nothing here commits: every function runs in the caller's unit of work.

Payloads are WeCom API bodies without ``agentid`` (the sender adds it), e.g.
``{"msgtype": "text", "text": {"content": "…"}}``. Channels:

- ``message``: message/send; ``recipient`` is ``"u1|u2|…"`` (≤ 1000 userids)
- ``appchat``: appchat/send; ``recipient`` is the chatid
- ``robot``: group-robot webhook; ``recipient`` is the robot key
- ``update_card``: message/update_template_card; ``recipient`` is the userid

WeCom cuts a text message at 2048 bytes of UTF-8 (message/send, appchat, robot and
the passive reply alike) and a markdown one at 4096: :func:`enqueue` splits longer
text/markdown payloads with :func:`split_text` into several rows, in order (one
``group_key``: the sender keeps order only within a group, so a person's other
messages are never held behind a future-dated or backing-off row).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from storage.models import OutboxMessage

CHANNELS = ("message", "appchat", "robot", "update_card")
MAX_USERS_PER_SEND = 1000
# Byte limits (UTF-8) on a message's content, by msgtype.
CONTENT_LIMITS = {"text": 2048, "markdown": 4096}
TEXT_LIMIT = CONTENT_LIMITS["text"]
# A claimed row is due again this long after its claim, so a sender that dies
# mid-send only delays its rows.
CLAIM_LEASE = timedelta(minutes=5)


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut ``text`` into chunks of at most ``limit`` UTF-8 bytes, in order.

    Chunks end on line boundaries (the newline between two chunks is dropped); a
    single line longer than ``limit`` is cut hard, but never inside a character.
    Text within the limit comes back as one chunk (``""`` gives ``[""]``).
    """
    if limit < 4:
        raise ValueError("limit must leave room for one UTF-8 character")
    if len(text.encode("utf-8")) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    size = -1  # bytes of ``current`` plus the newline before the next line
    for line in text.split("\n"):
        encoded = len(line.encode("utf-8"))
        if size >= 0 and size + 1 + encoded <= limit:
            current += "\n" + line
            size += 1 + encoded
            continue
        if size >= 0:
            chunks.append(current)
        while encoded > limit:
            head = line.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
            chunks.append(head)
            line = line[len(head) :]
            encoded = len(line.encode("utf-8"))
        current, size = line, encoded
    chunks.append(current)
    return chunks


def _split_payload(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """A text/markdown payload over its byte limit as several payloads; others as is.

    A robot's @-mentions (``mentioned_list``/``mentioned_mobile_list``) stay on the
    first part only, so nobody is pinged once per part.
    """
    msgtype = payload.get("msgtype")
    if not isinstance(msgtype, str) or msgtype not in CONTENT_LIMITS:
        return [payload]
    limit = CONTENT_LIMITS[msgtype]
    body = payload.get(msgtype)
    if not isinstance(body, dict):
        return [payload]
    content = body.get("content")
    if not isinstance(content, str) or len(content.encode("utf-8")) <= limit:
        return [payload]
    rest = {k: v for k, v in body.items() if k not in ("mentioned_list", "mentioned_mobile_list")}
    return [
        {**payload, msgtype: {**(body if number == 0 else rest), "content": part}}
        for number, part in enumerate(split_text(content, limit))
    ]


def enqueue(
    session: Session,
    channel: str,
    recipient: str,
    payload: dict[str, Any],
    now: datetime,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    group_key: str | None = None,
) -> OutboxMessage | None:
    """Add one message; with ``dedupe_key``, a second call with the same key adds nothing.

    A text/markdown payload over WeCom's byte limit becomes several rows in order
    (ascending ids, same ``not_before``); part 1 keeps ``dedupe_key``, part N > 1
    gets ``dedupe_key + "#partN"``. Returns the (first) new row, or None when the
    key was already queued.

    Order: rows with the same ``group_key`` are sent in the order they were queued
    (a later one waits while an earlier one is pending); rows without one, or in
    another group, never wait for each other. A split payload's parts form a group
    (``group_key``, or ``"split:<id of part 1>"`` when none is given).
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown outbox channel {channel!r}")
    if dedupe_key is not None:
        existing = session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        if existing is not None:
            return None
    rows = []
    for number, part in enumerate(_split_payload(payload), start=1):
        key = dedupe_key if number == 1 or dedupe_key is None else f"{dedupe_key}#part{number}"
        rows.append(
            OutboxMessage(
                channel=channel,
                recipient=recipient,
                payload=part,
                status="pending",
                attempts=0,
                next_attempt_at=not_before or now,
                last_error="",
                dedupe_key=key,
                created_at=now,
            )
        )
    if len(rows) == 1:  # the commonest case: inserted with the unit of work's own flush
        rows[0].group_key = group_key
        session.add(rows[0])
        return rows[0]
    for row in rows:
        row.group_key = group_key
        session.add(row)
        session.flush()  # one by one, so ids ascend in part order
        if group_key is None:
            group_key = row.group_key = f"split:{row.id}"
    return rows[0]


def text_payload(content: str) -> dict[str, Any]:
    return {"msgtype": "text", "text": {"content": content}}


def markdown_payload(content: str) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"content": content}}


def latest_pending_by_recipient(
    session: Session, after: datetime
) -> dict[tuple[str, str], datetime]:
    """(channel, recipient) -> the latest ``next_attempt_at`` later than ``after`` among
    pending rows, a batch ``"u1|u2|…"`` counting for each of its recipients.

    One pass over the future-dated pending rows (the ``ix_outbox_due`` index), instead of
    a ``LIKE '%userid%'`` over them per recipient.
    """
    latest: dict[tuple[str, str], datetime] = {}
    rows = session.execute(
        select(OutboxMessage.channel, OutboxMessage.recipient, OutboxMessage.next_attempt_at)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at > after)
        .execution_options(yield_per=2000)
    )
    for channel, recipients, at in rows:
        for recipient in recipients.split("|"):
            key = (channel, recipient)
            if key not in latest or at > latest[key]:
                latest[key] = at
    return latest


def recent(session: Session, statuses: Sequence[str], limit: int) -> list[OutboxMessage]:
    """The newest ``limit`` rows whose status is one of ``statuses``, newest first."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status.in_(list(statuses)))
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def requeue(session: Session, row_id: int, now: datetime) -> bool:
    """Make row ``row_id`` pending again from ``now`` with its tries reset; False if
    there is no such row."""
    row = session.get(OutboxMessage, row_id)
    if row is None:
        return False
    row.status, row.attempts, row.next_attempt_at = "pending", 0, now
    return True


def enqueue_to_users(
    session: Session,
    userids: Sequence[str],
    payload: dict[str, Any],
    now: datetime,
    dedupe_key: str | None = None,
) -> list[OutboxMessage]:
    """Queue one payload for many users, batched as WeCom allows (1000 per send)."""
    rows = []
    unique = list(dict.fromkeys(userids))
    for start in range(0, len(unique), MAX_USERS_PER_SEND):
        batch = unique[start : start + MAX_USERS_PER_SEND]
        key = f"{dedupe_key}#{start // MAX_USERS_PER_SEND}" if dedupe_key else None
        row = enqueue(session, "message", "|".join(batch), payload, now, dedupe_key=key)
        if row is not None:
            rows.append(row)
    return rows


# Maps a row's stored payload to the one to keep instead; None keeps it.
PayloadChange = Callable[[dict[str, Any]], dict[str, Any] | None]


@dataclass(frozen=True)
class DueMessage:
    """One outbox row taken by a sender: what to send, and the attempt it is on."""

    id: int
    channel: str
    recipient: str
    payload: dict[str, Any]
    attempts: int


def claim_due(
    session: Session, now: datetime, limit: int, lease: timedelta = CLAIM_LEASE
) -> list[DueMessage]:
    """Take up to ``limit`` rows due at ``now`` for one sender: the attempt is counted
    and ``next_attempt_at`` pushed ``lease`` ahead. PostgreSQL skips rows another
    sender has locked (``FOR UPDATE SKIP LOCKED``); SQLite's ``BEGIN IMMEDIATE``
    serialises claimers. The caller commits (a short unit of work of its own).

    The parts of one logical message (rows sharing a ``group_key``: a split text, a
    confirm card after its summary) go out in the order they were queued: a row
    waits while an older pending row of its group exists. Nothing else waits: a
    person's reminder queued for next week, or a message backing off after an
    error, holds back none of their other messages. A row that can never be sent
    stops blocking its group once it is marked failed.
    """
    older = aliased(OutboxMessage)
    queued_before = (
        select(older.id)
        .where(
            older.group_key == OutboxMessage.group_key,
            older.status == "pending",
            older.id < OutboxMessage.id,
        )
        .exists()
    )
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == "pending",
            OutboxMessage.next_attempt_at <= now,
            ~queued_before,
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = session.scalars(query).all()
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + lease
    return [DueMessage(r.id, r.channel, r.recipient, dict(r.payload), r.attempts) for r in rows]


def record(
    session: Session,
    message_id: int,
    status: str,
    at: datetime,
    last_error: str,
    next_attempt_at: datetime | None = None,
    payload: PayloadChange | None = None,
) -> bool:
    """Store one send's result on row ``message_id``; False if the row is gone (an
    admin deleted it meanwhile).

    ``status``: ``"sent"`` (``sent_at`` becomes ``at``), ``"failed"``, or
    ``"pending"`` to try again at ``next_attempt_at``. ``payload``, when given, maps
    the row's stored payload to the one to keep instead (None: keep it as is), e.g.
    what was sent in place of an uploaded file's bytes.
    """
    if status not in ("sent", "failed", "pending"):
        raise ValueError(f"unknown outbox status {status!r}")
    row = session.get(OutboxMessage, message_id)
    if row is None:
        return False
    row.status, row.last_error = status, last_error
    if status == "sent":
        row.sent_at = at
    if next_attempt_at is not None:
        row.next_attempt_at = next_attempt_at
    if payload is not None:
        _change_payload(row, payload)
    return True


def update_payload(session: Session, message_id: int, change: PayloadChange) -> None:
    """Replace row ``message_id``'s payload by ``change(payload)`` unless that is None
    (or the row is gone)."""
    row = session.get(OutboxMessage, message_id)
    if row is not None:
        _change_payload(row, change)


def _change_payload(row: OutboxMessage, change: PayloadChange) -> None:
    new = change(row.payload)
    if new is not None:
        row.payload = new
