"""Photos sent during visits (``visit_media``) that still have to be downloaded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import VisitMedia


def pending(session: Session, received_since: datetime, limit: int) -> list[tuple[int, str]]:
    """(row id, WeCom media_id) of photos without content received since
    ``received_since``, oldest first, at most ``limit``."""
    rows = session.scalars(
        select(VisitMedia)
        .where(VisitMedia.content.is_(None), VisitMedia.received_at >= received_since)
        .order_by(VisitMedia.id)
        .limit(limit)
    )
    return [(m.id, m.media_id) for m in rows]


def store_content(session: Session, row_id: int, content: bytes, content_type: str) -> bool:
    """Keep the downloaded bytes of photo ``row_id``; False when the row is gone or
    already has its content (another run was first)."""
    media = session.get(VisitMedia, row_id)
    if media is None or media.content is not None:
        return False
    media.content, media.content_type = content, content_type[:50]
    return True
