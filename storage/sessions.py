"""Dialog sessions: one persisted conversation per WeCom user (``dialog_sessions``).

The row holds a stable step id (``state``) and the rest of the conversation as a
JSON dict (``data``). The request path locks the row for the callback's unit of work
(:func:`storage.callbacks.claim_callback`, called by :mod:`bot.gateway.apply`); these helpers
read and write it, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import DialogSession

# Stored step ids, mirroring bot.dialogs.steps (storage may not import bot; a test in
# tests/bot/dialogs/test_steps.py keeps them equal): the step of a new or finished
# conversation, and the steps that hold no draft worth reminding about.
IDLE_STEP = "idle"
RESTING_STEPS = (IDLE_STEP, "pick_target", "new_target", "amend_pick")


@dataclass(frozen=True)
class Stored:
    step: str
    data: dict[str, Any]


def read(row: DialogSession | None) -> Stored:
    if row is None:
        return Stored(IDLE_STEP, {})
    return Stored(row.state or IDLE_STEP, dict(row.data or {}))


def write(row: DialogSession, step: str, data: dict[str, Any], now: datetime) -> None:
    """Store the new state; bumps ``version`` so concurrent writers can be detected."""
    row.state = step[:64]
    row.data = data
    row.version = (row.version or 0) + 1
    row.updated_at = now


def idle_drafts(session: Session, now: datetime, idle_for: timedelta) -> list[DialogSession]:
    """Sessions holding a draft untouched for ``idle_for`` and not reminded since."""
    rows = session.scalars(
        select(DialogSession).where(
            DialogSession.state.not_in(RESTING_STEPS),
            DialogSession.updated_at <= now - idle_for,
        )
    ).all()
    return [r for r in rows if r.reminded_at is None or r.reminded_at < r.updated_at]


def mark_reminded(session: Session, row_id: int, seen_updated_at: datetime, now: datetime) -> bool:
    """Stamp ``reminded_at`` on session ``row_id`` if it was not touched since
    ``seen_updated_at``; False when the cadre carried on meanwhile (one UPDATE)."""
    stmt = (
        update(DialogSession)
        .where(DialogSession.id == row_id, DialogSession.updated_at == seen_updated_at)
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    return session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]
