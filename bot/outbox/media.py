"""Outbox payloads whose file must be uploaded first (the ``_upload`` contract).

A payload like the weekly chart's::

    {"msgtype": "image", "image": {"media_id": ""},
     "_upload": {"type": "image", "filename": "weekly-1.png",
                 "content_type": "image/png", "base64": "<bytes>"}}

is made sendable by :func:`sendable`: the bytes go to ``media/upload`` and the
returned ``media_id`` fills ``image.media_id``; ``_upload`` is left out of what is
sent. The stored row keeps ``_upload`` until the send succeeds, and remembers the
media_id with its upload time (``_upload.media_id``, ``_upload.uploaded_at``) so a
retry within :data:`MEDIA_REUSE` sends the same id instead of uploading again
(WeCom keeps a media_id 3 days). A group robot takes the image inline instead
(``{"base64", "md5"}``; no upload).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.wecom.client import WecomClient

UPLOAD_KEY = "_upload"
MEDIA_REUSE = timedelta(days=3) - timedelta(hours=1)  # a margin under WeCom's 3 days
INVALID_MEDIA_ERRCODE = 40007  # "invalid media_id": expired or unknown

Remember = Callable[[str, datetime], None]


def has_upload(payload: dict[str, Any]) -> bool:
    return isinstance(payload.get(UPLOAD_KEY), dict)


def without_upload(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k != UPLOAD_KEY}


def cached_media_id(upload: dict[str, Any], now: datetime) -> str:
    """The remembered media_id if it is still young enough to send, else ''."""
    media_id = str(upload.get("media_id") or "")
    try:
        uploaded = datetime.fromisoformat(str(upload.get("uploaded_at") or ""))
    except ValueError:
        return ""
    return media_id if media_id and now - uploaded < MEDIA_REUSE else ""


def remembered(payload: dict[str, Any], media_id: str, at: datetime) -> dict[str, Any]:
    """``payload`` with the upload's media_id and time kept in ``_upload`` (new dict)."""
    upload = {**payload[UPLOAD_KEY], "media_id": media_id, "uploaded_at": at.isoformat()}
    return {**payload, UPLOAD_KEY: upload}


def forgotten(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` without a remembered media_id (the next try uploads again)."""
    upload = {k: v for k, v in payload[UPLOAD_KEY].items() if k not in ("media_id", "uploaded_at")}
    return {**payload, UPLOAD_KEY: upload}


def sendable(
    client: WecomClient, channel: str, payload: dict[str, Any], now: datetime, remember: Remember
) -> dict[str, Any]:
    """What to send for ``payload``: uploads first when it carries ``_upload``.

    ``remember(media_id, now)`` is called right after a fresh upload (the caller
    stores it in the row). Raises what :meth:`WecomClient.upload_media` raises, and
    ValueError for a malformed ``_upload``.
    """
    if not has_upload(payload):
        return payload
    upload: dict[str, Any] = payload[UPLOAD_KEY]
    body = without_upload(payload)
    kind = str(body.get("msgtype") or upload.get("type") or "image")
    try:
        content = base64.b64decode(str(upload["base64"]), validate=True)
    except (KeyError, ValueError):
        raise ValueError("outbox payload: _upload.base64 missing or not base64") from None
    if channel == "robot":
        body[kind] = {"base64": upload["base64"], "md5": hashlib.md5(content).hexdigest()}
        return body
    media_id = cached_media_id(upload, now)
    if not media_id:
        media_id = client.upload_media(
            str(upload.get("type") or kind),
            str(upload.get("filename") or f"{kind}.png"),
            content,
            str(upload.get("content_type") or ""),
        )
        remember(media_id, now)
    body[kind] = {**(body.get(kind) or {}), "media_id": media_id}
    return body
