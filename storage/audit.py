"""The audit log: who did what, when, to whose data (``AuditLog`` rows).

Besides the changes other modules record (template switches, roster imports,
draws), every view of personal data in bulk is written here with
:func:`record_view`: an export, a roster export, a list of several households'
problems in chat, a person's data export or erasure. ``scope`` says whose data
(a unit, ``user:<userid>``, ``household:<code>``); ``detail`` holds counts and
options, never a phone number, a name or a problem text. Repositories never
commit: the caller's unit of work does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AuditLog

# Actions that are views of personal data (the rest of the log records changes).
VIEW_EXPORT = "view_export"  # minqing export TABLE
VIEW_ROSTER = "view_roster_export"  # minqing roster export
VIEW_PROBLEM_LIST = "view_problem_list"  # 问题 in chat, one page
VIEW_PERSON = "view_person_export"  # minqing person export CODE
PERSON_ERASED = "person_erased"  # minqing person erase CODE
CAMPAIGN_CLOSED = "campaign_closed"
CAMPAIGN_REDACTED = "campaign_redacted"

ACTOR_LEN = 64
SCOPE_LEN = 200


def record(
    session: Session,
    now: datetime,
    actor: str,
    action: str,
    scope: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditLog:
    """Add one audit row (flushed, not committed) and return it."""
    entry = AuditLog(
        at=now,
        actor=actor[:ACTOR_LEN],
        action=action,
        scope=scope[:SCOPE_LEN],
        detail=dict(detail or {}),
    )
    session.add(entry)
    session.flush()
    return entry


def entries(
    session: Session,
    *,
    since: datetime | None = None,
    actor: str | None = None,
    actions: Sequence[str] = (),
    limit: int | None = None,
) -> list[AuditLog]:
    """Audit rows, oldest first, filtered by time (``at >= since``), actor and action."""
    query = select(AuditLog)
    if since is not None:
        query = query.where(AuditLog.at >= since)
    if actor:
        query = query.where(AuditLog.actor == actor)
    if actions:
        query = query.where(AuditLog.action.in_(list(actions)))
    query = query.order_by(AuditLog.at, AuditLog.id)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))
