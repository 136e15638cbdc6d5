"""Plain job functions for visits; the scheduler area registers and schedules them.

- :func:`remind_appointments` (every ~10 min): a 约访 whose time is near → one
  message to the cadre (outbox, de-duplicated per visit).
- :func:`remind_idle_drafts` (every ~30 min): a draft untouched for 12 hours → one
  reminder (``DialogSession.reminded_at`` records it; a new message re-arms it).
- :func:`download_visit_media` (every minute): photos sent during visits are fetched
  through media/get here, outside any callback (ids expire after 3 days).

The first two take the caller's session and ``now`` and never commit; they return
the outbox keys they queued. The third needs the runtime: it must not hold a
transaction while it waits on the network.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import outbox, sessions
from storage.models import Assignment, Target, Visit, VisitMedia

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from bot.wecom_api import WecomClient

log = logging.getLogger("minqing.jobs.visits")

APPOINTMENT_LEAD = timedelta(minutes=30)  # remind this long before the agreed time
APPOINTMENT_LATE = timedelta(hours=2)  # still remind if the scheduler was down this long
IDLE_DRAFT = timedelta(hours=12)
MEDIA_LIFETIME = timedelta(days=3)
APPOINTMENT_TEXT = "【约访提醒】{when} 约了 {name}（{place}）。到了回复「走访」选这户登记。"
DRAFT_TEXT = (
    "【走访提醒】你有一份未完成的走访：{name}，已放了12小时。发任意消息继续，或回复「取消」放弃。"
)


def _local(moment: datetime) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%m-%d %H:%M")


def remind_appointments(session: Session, now: datetime) -> list[str]:
    """Queue one reminder per 约访 due within the next 30 minutes (or up to 2 h late)."""
    due = session.scalars(
        select(Visit).where(
            Visit.outcome == "appointment",
            Visit.appointment_at <= now + APPOINTMENT_LEAD,
            Visit.appointment_at >= now - APPOINTMENT_LATE,
        )
    ).all()
    keys = []
    for visit in due:
        later = session.scalar(
            select(Visit.id).where(
                Visit.target_id == visit.target_id,
                Visit.campaign_id == visit.campaign_id,
                Visit.submitted_at > visit.submitted_at,
            )
        )
        still_assigned = session.scalar(
            select(Assignment.id).where(
                Assignment.campaign_id == visit.campaign_id,
                Assignment.target_id == visit.target_id,
                Assignment.cadre_id == visit.cadre_id,
            )
        )
        if later is not None or still_assigned is None:
            continue  # visited (or re-booked) since, or handed to someone else
        target = session.get(Target, visit.target_id)
        assert target is not None and visit.appointment_at is not None
        place = " ".join(p for p in (target.grid, target.address) if p) or "-"
        text = APPOINTMENT_TEXT.format(
            when=_local(visit.appointment_at), name=target.head_name, place=place
        )
        key = f"appointment:{visit.id}"
        row = outbox.enqueue(
            session, "message", visit.cadre.userid, outbox.text_payload(text), now, dedupe_key=key
        )
        if row is not None:
            keys.append(key)
    return keys


def remind_idle_drafts(session: Session, now: datetime) -> list[str]:
    """Queue one reminder per draft idle for 12 hours; marks the session reminded."""
    keys = []
    for row in sessions.idle_drafts(session, now, IDLE_DRAFT):
        target = (row.data or {}).get("target") or {}
        text = DRAFT_TEXT.format(name=target.get("name", ""))
        key = f"draft:{row.userid}:{row.updated_at.isoformat()}"
        outbox.enqueue(
            session, "message", row.userid, outbox.text_payload(text), now, dedupe_key=key
        )
        row.reminded_at = now
        keys.append(key)
    return keys


def download_visit_media(
    runtime: Runtime, now: datetime, client: WecomClient | None = None, limit: int = 20
) -> int:
    """Fetch photos not downloaded yet (received in the last 3 days); returns how many."""
    from bot.wecom_api import WecomApiError, WecomNetworkError
    from bot.wecom_tokens import make_client

    with runtime.unit_of_work() as s:
        pending = [
            (m.id, m.media_id)
            for m in s.scalars(
                select(VisitMedia)
                .where(VisitMedia.content.is_(None), VisitMedia.received_at >= now - MEDIA_LIFETIME)
                .order_by(VisitMedia.id)
                .limit(limit)
            )
        ]
    if not pending:
        return 0
    api = client or make_client(runtime)
    done = 0
    for row_id, media_id in pending:
        try:
            content, ctype = api.get_media(media_id)
        except (WecomApiError, WecomNetworkError) as exc:
            log.warning("media/get failed (%s); will retry", type(exc).__name__)
            continue
        with runtime.unit_of_work() as s:
            media = s.get(VisitMedia, row_id)
            if media is not None and media.content is None:
                media.content, media.content_type = content, ctype[:50]
                done += 1
    return done
