"""Writing the scheduler's messages to the outbox, within WeCom's rate limits.

WeCom allows about 20 messages a minute per group robot and about 30 a minute to
one member (../shared/WECOM.md). Rather than dropping anything, every message gets
a ``not_before`` slot: a :class:`Spreader` keeps, per recipient, the next free
moment, starting after the latest message already pending for that recipient.
Group payloads pass :func:`scheduler.privacy.check_group_payload` first; a refused
one is skipped (logged by the kind of leak, never its text, and written to the audit
log) so the rest of the run is still delivered. Every text the scheduler sends, to a
group or a person, has its ID, phone and bank-card numbers masked
(:func:`storage.masking.mask_numbers`); only chat views show a record's full text.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.config import Config, GroupChat
from scheduler.privacy import PrivacyError, check_group_payload
from storage.db import Session
from storage.masking import mask_numbers
from storage.models import AuditLog, OutboxMessage
from storage.outbox import (
    MAX_USERS_PER_SEND,
    enqueue,
    latest_pending_by_recipient,
    text_payload,
)

log = logging.getLogger("minqing.scheduler")
RECIPIENT_MAX: int = getattr(OutboxMessage.__table__.c.recipient.type, "length", None) or 200
ROBOT_PER_MINUTE = 20
MEMBER_PER_MINUTE = 30


class Spreader:
    """Hands out ``not_before`` times so no recipient exceeds its per-minute limit."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self._next: dict[str, datetime] = {}
        self._pending: dict[tuple[str, str], datetime] | None = None

    def _first_free(self, key: str, gap: timedelta) -> datetime:
        if key not in self._next:
            if self._pending is None:  # read once, when the first message is placed
                self._pending = latest_pending_by_recipient(self.session, self.now)
            channel, _, recipient = key.partition(":")
            latest = self._pending.get((channel, recipient))
            self._next[key] = max(self.now, latest + gap) if latest else self.now
        return self._next[key]

    def slot(self, keys: Sequence[str], per_minute: int) -> datetime:
        """The earliest moment every key in ``keys`` may receive one more message."""
        gap = timedelta(seconds=60 / per_minute)
        at = max(self._first_free(k, gap) for k in keys)
        for k in keys:
            self._next[k] = at + gap
        return at


def batches(userids: Sequence[str]) -> list[list[str]]:
    """Split userids into sends WeCom accepts that also fit the outbox's recipient column.

    WeCom takes up to 1000 userids per send; ``outbox.recipient`` holds
    ``RECIPIENT_MAX`` characters of ``"u1|u2|…"``, whichever limit comes first.
    """
    out: list[list[str]] = []
    current: list[str] = []
    length = 0
    for userid in dict.fromkeys(u for u in userids if u):
        extra = len(userid) + (1 if current else 0)
        if current and (len(current) >= MAX_USERS_PER_SEND or length + extra > RECIPIENT_MAX):
            out.append(current)
            current, extra = [], len(userid)
        current.append(userid)
        length = extra if len(current) == 1 else length + extra
    if current:
        out.append(current)
    return out


def send_personal(
    session: Session,
    spreader: Spreader,
    userids: Sequence[str],
    payload: dict[str, Any],
    now: datetime,
    trailer: Callable[[str], str] | None = None,
) -> int:
    """Queue one payload for ``userids`` (in as few sends as allowed); returns rows added.

    ``trailer(userid)``, when given, is a line added to each recipient's markdown after
    the masking (a signed link must reach its reader intact), so each gets a send of
    their own.
    """
    count = 0
    payload = masked(payload)
    if trailer is not None:
        for userid in userids:
            body = payload["markdown"]
            own = {**payload, "markdown": {**body, "content": body["content"] + trailer(userid)}}
            at = spreader.slot([f"message:{userid}"], MEMBER_PER_MINUTE)
            enqueue(session, "message", userid, own, now, not_before=at)
            count += 1
        return count
    for batch in batches(userids):
        at = spreader.slot([f"message:{u}" for u in batch], MEMBER_PER_MINUTE)
        enqueue(session, "message", "|".join(batch), payload, now, not_before=at)
        count += 1
    return count


def groups_for(config: Config, unit_names: Iterable[str]) -> list[GroupChat]:
    """The configured group chats belonging to any of ``unit_names``."""
    names = set(unit_names)
    return [g for g in config.groups if g.unit in names]


def send_group(
    session: Session,
    spreader: Spreader,
    group: GroupChat,
    content: str,
    now: datetime,
    mention: Sequence[str] = (),
    problem_texts: Iterable[str] = (),
    allow: Iterable[str] = (),
    job: str = "",
) -> str | None:
    """Queue a text for a group chat (app chat or robot), after the privacy check.

    A robot message @-mentions ``mention`` (userids) through ``mentioned_list``;
    app chats cannot @, so the names in ``content`` must say who is meant.
    Returns None when queued. A message the guard refuses is NOT queued: it is
    logged and written to the audit log (``group_message_refused``, naming ``job``,
    the group and the kind of leak, never the text) and the returned note says so,
    for the job's result.
    """
    payload = text_payload(content)
    if group.robot_key:
        if mention:
            payload["text"]["mentioned_list"] = list(dict.fromkeys(mention))
        channel, recipient, limit = "robot", group.robot_key, ROBOT_PER_MINUTE
    else:
        channel, recipient, limit = "appchat", group.appchat_id, ROBOT_PER_MINUTE
    try:
        check_group_payload(payload, problem_texts=problem_texts, allow=allow)
    except PrivacyError as exc:
        return _refused(session, group, job, str(exc), now)
    at = spreader.slot([f"{channel}:{recipient}"], limit)
    enqueue(session, channel, recipient, masked(payload), now, not_before=at)
    return None


def masked(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with personal numbers masked in its text or markdown content."""
    kind = payload.get("msgtype")
    if not isinstance(kind, str):
        return payload
    body = payload.get(kind)
    if not isinstance(body, dict) or not isinstance(body.get("content"), str):
        return payload
    return {**payload, kind: {**body, "content": mask_numbers(body["content"])}}


def _refused(session: Session, group: GroupChat, job: str, reason: str, now: datetime) -> str:
    """Log and audit one refused group message; returns the note for the job's result.

    ``reason`` is the :class:`PrivacyError` message, which names kinds of leak only.
    """
    log.warning("job %s: message to group %s skipped: %s", job or "-", group.unit, reason)
    detail = {"job": job, "group": group.unit, "reason": reason}
    session.add(AuditLog(at=now, actor="scheduler", action="group_message_refused", detail=detail))
    return f"group message to {group.unit} skipped ({reason})"


def image_payload(png: bytes, filename: str) -> dict[str, Any]:
    """An image message whose bytes still have to be uploaded (the ``_upload`` contract).

    The outbox sender must, before sending a payload that has ``_upload``:
    1. POST the decoded ``_upload.base64`` bytes to ``media/upload?type=<_upload.type>``
       (multipart field ``media``, file name ``_upload.filename``, content type
       ``_upload.content_type``) — for a robot, ``webhook/upload_media?key=…&type=file``
       or send the robot's native ``{"msgtype":"image","image":{"base64","md5"}}``;
    2. put the returned ``media_id`` into ``image.media_id``;
    3. drop ``_upload`` and send the rest as usual.
    A media_id lives 3 days, so a retry after that uploads again (keep ``_upload``
    in the stored row until the send succeeds).
    """
    return {
        "msgtype": "image",
        "image": {"media_id": ""},
        "_upload": {
            "type": "image",
            "filename": filename,
            "content_type": "image/png",
            "base64": base64.b64encode(png).decode("ascii"),
        },
    }
