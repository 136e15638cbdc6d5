"""What handlers receive and return: small frozen dataclasses, no Flask, no wechatpy.

``bot.webhook`` turns a decrypted callback into an :class:`Incoming`; a handler
returns a :class:`Reply` whose ``text`` (if any) goes back as the encrypted
passive reply. Anything else the bot says (template cards, messages to other
people) is written to the outbox inside the same unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Incoming:
    userid: str
    msg_type: str  # text | event | image | location | voice | unknown ...
    create_time: int
    msg_id: str = ""
    content: str = ""  # text messages
    event: str = ""  # enter_agent | subscribe | unsubscribe | click | template_card_event | location
    event_key: str = ""  # menu key, or the pressed button's key on a template card
    task_id: str = ""  # template card task id
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
        """WeCom's retry identity: MsgId for messages; user+time+event(+key,+task) for events."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return f"evt:{self.userid}:{self.create_time}:{self.event}:{self.event_key}:{self.task_id}"


@dataclass(frozen=True)
class Reply:
    """The passive reply; empty text means answer WeCom with an empty 200."""

    text: str = ""
    extra: dict[str, str] = field(default_factory=dict)
