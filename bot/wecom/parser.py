"""WeCom callback XML → :class:`~bot.handlers.base.Incoming`, parsed safely.

XML is parsed with defusedxml (no DOCTYPE, no entities) instead of xmltodict; anything
malformed is a :class:`CallbackError` whose ``status`` the webhook answers with.
"""

from __future__ import annotations

from dataclasses import replace
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException

from bot.handlers.base import Incoming

MAX_USERID = 64


class CallbackError(Exception):
    """A callback we refuse: ``status`` is the HTTP answer (400 bad input, 403 bad signature)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def parse_xml(data: bytes | str) -> Element:
    """Parse untrusted XML; DOCTYPE, entities and malformed input raise CallbackError(400)."""
    try:
        return safe_xml.fromstring(data, forbid_dtd=True, forbid_entities=True)
    except (DefusedXmlException, ParseError, ValueError) as exc:
        raise CallbackError(400, f"bad xml: {type(exc).__name__}") from None


def _text(root: Element, tag: str) -> str:
    return (root.findtext(tag) or "").strip()


def _float(root: Element, tag: str) -> float | None:
    try:
        return float(_text(root, tag))
    except ValueError:
        return None


def _int(root: Element, tag: str) -> int:
    try:
        return int(_text(root, tag))
    except ValueError:
        return 0


def parse_message(plain_xml: str) -> Incoming:
    """Decrypted callback XML → Incoming. Unknown types parse to msg_type ``unknown``."""
    root = parse_xml(plain_xml.encode("utf-8"))
    userid = _text(root, "FromUserName")
    if not userid:
        raise CallbackError(400, "no FromUserName")
    if len(userid) > MAX_USERID:  # WeCom userids are 1-64 characters; the column is too
        raise CallbackError(400, "FromUserName too long")
    msg_type = _text(root, "MsgType").lower()
    base = Incoming(
        userid=userid,
        msg_type="unknown",
        create_time=_int(root, "CreateTime"),
        msg_id=_text(root, "MsgId"),
        agent_id=_int(root, "AgentID"),
    )
    if msg_type == "text":
        return replace(base, msg_type="text", content=root.findtext("Content") or "")
    if msg_type == "image":
        return replace(
            base,
            msg_type="image",
            media_id=_text(root, "MediaId"),
            pic_url=_text(root, "PicUrl"),
        )
    if msg_type == "location":
        return replace(
            base,
            msg_type="location",
            latitude=_float(root, "Location_X"),
            longitude=_float(root, "Location_Y"),
            label=_text(root, "Label"),
        )
    if msg_type == "event":
        return _parse_event(root, base)
    return base


def _parse_event(root: Element, base: Incoming) -> Incoming:
    event = _text(root, "Event").lower()
    if event == "location":
        return replace(
            base,
            msg_type="event",
            event="location",
            latitude=_float(root, "Latitude"),
            longitude=_float(root, "Longitude"),
        )
    if event == "template_card_event":
        selected = tuple(
            (opt.text or "").strip()
            for opt in root.iterfind("SelectedItems/SelectedItem/OptionIds/OptionId")
        )
        return replace(
            base,
            msg_type="event",
            event="template_card_event",
            event_key=_text(root, "EventKey"),
            task_id=_text(root, "TaskId"),
            response_code=_text(root, "ResponseCode"),
            selected=selected,
            card_type=_text(root, "CardType"),
        )
    return replace(base, msg_type="event", event=event, event_key=_text(root, "EventKey"))
