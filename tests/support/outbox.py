"""Read the outbox back: every row, the group-chat rows, a row's text."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import OutboxMessage


def outbox(session) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def group_rows(session) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    return [r for r in outbox(session) if r.channel in ("robot", "appchat")]


def content(row: OutboxMessage) -> str:
    p = row.payload
    return p.get(p["msgtype"], {}).get("content", "")
