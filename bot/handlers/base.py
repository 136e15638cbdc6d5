"""What handlers receive and return: small frozen dataclasses, no Flask, no wechatpy.

``bot.wecom.parser`` turns a decrypted callback into an :class:`Incoming`; a handler
returns a :class:`HandlerReply` whose ``text`` (if any) goes back as the encrypted
passive reply. Anything else the bot says (template cards, messages to other
people) is written to the outbox inside the same unit of work.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import Config
    from bot.runtime import Clock, Runtime
    from storage.models import Cadre, DialogSession


@dataclass(frozen=True)
class Incoming:
    userid: str
    msg_type: str  # text | event | image | location | voice | unknown ...
    create_time: int
    msg_id: str = ""
    content: str = ""  # text messages
    event: str = (
        ""  # enter_agent | subscribe | unsubscribe | click | template_card_event | location
    )
    event_key: str = ""  # menu key, or the pressed button's key on a template card
    task_id: str = ""  # template card task id
    card_type: str = ""  # template card type (button_interaction, vote_interaction, ...)
    response_code: str = ""  # for message/update_template_card, usable once
    selected: tuple[str, ...] = ()  # option ids of a card's select/checkbox
    media_id: str = ""  # image messages
    pic_url: str = ""
    latitude: float | None = None
    longitude: float | None = None
    label: str = ""  # location label
    agent_id: int = 0

    @property
    def dedupe_key(self) -> str:
        """WeCom's retry identity: user+MsgId for messages; user+time+event(+key,+task)
        for events. The user is always part of it: a MsgId one user's client reuses
        must never replay another user's reply. JSON, so no two field lists collide."""
        if self.msg_id:
            return "msg:" + json.dumps([self.userid, self.msg_id], ensure_ascii=False)
        fields = [self.userid, self.create_time, self.event, self.event_key, self.task_id]
        return "evt:" + json.dumps(fields, ensure_ascii=False)


@dataclass(frozen=True)
class HandlerReply:
    """The passive reply; empty text means answer WeCom with an empty 200.

    ``after``: message payloads for the same user that must follow this reply (and
    its continuation parts, if it is split), in order: a confirm card after the
    summary it confirms. Queued as one ordered group with them.
    """

    text: str = ""
    after: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class HandlerContext:
    """What a handler may use besides the database session: the runtime and the time.

    ``now`` is the clock read once when the callback arrived (timezone-aware UTC);
    use it rather than calling the clock again, so one callback sees one time.
    """

    runtime: Runtime
    now: datetime

    @property
    def config(self) -> Config:
        return self.runtime.config

    @property
    def clock(self) -> Clock:
        return self.runtime.clock

    @property
    def zone(self) -> tzinfo:
        """The campaign's time zone (``[campaign] timezone``)."""
        return self.runtime.zone


@dataclass(frozen=True)
class UserState:
    """Who sent the callback, as the router sees it before choosing a handler.

    ``cadre`` is the active roster entry (None for an unknown userid). ``dialog`` is
    the user's conversation row as read when the callback arrived (None only for
    unknown users), outside the ORM session; handlers may change its ``state`` and
    ``data`` and the gateway writes it back, checking its version.
    """

    userid: str
    cadre: Cadre | None
    dialog: DialogSession | None

    @property
    def dialog_state(self) -> str:
        return self.dialog.state if self.dialog is not None else ""
