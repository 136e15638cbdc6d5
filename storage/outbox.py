"""The outbox: every message to WeCom is a row written in the caller's transaction.

A sender worker (``bot.outbox_worker``) delivers due rows, retries with backoff and
marks a row failed after the configured number of tries. Nothing here commits.

Payloads are WeCom API bodies without ``agentid`` (the sender adds it), e.g.
``{"msgtype": "text", "text": {"content": "…"}}``. Channels:

- ``message``: message/send; ``recipient`` is ``"u1|u2|…"`` (≤ 1000 userids)
- ``appchat``: appchat/send; ``recipient`` is the chatid
- ``robot``: group-robot webhook; ``recipient`` is the robot key
- ``update_card``: message/update_template_card; ``recipient`` is the userid
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import OutboxMessage

CHANNELS = ("message", "appchat", "robot", "update_card")
MAX_USERS_PER_SEND = 1000


def enqueue(
    session: Session,
    channel: str,
    recipient: str,
    payload: dict[str, Any],
    now: datetime,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
) -> OutboxMessage | None:
    """Add one message; with ``dedupe_key``, a second call with the same key adds nothing.

    Returns the new row, or None when the key was already queued.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown outbox channel {channel!r}")
    if dedupe_key is not None:
        existing = session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        if existing is not None:
            return None
    row = OutboxMessage(
        channel=channel,
        recipient=recipient,
        payload=payload,
        status="pending",
        attempts=0,
        next_attempt_at=not_before or now,
        last_error="",
        dedupe_key=dedupe_key,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def text_payload(content: str) -> dict[str, Any]:
    return {"msgtype": "text", "text": {"content": content}}


def markdown_payload(content: str) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"content": content}}


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
