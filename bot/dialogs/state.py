"""The conversation state: a frozen, JSON-safe value with a stable string step id.

Stored step ids (``DialogSession.state``) are part of the data format, so they are
plain strings that survive refactors: ``idle``, ``pick_target``, ``new_target``,
``at_home``, ``appointment``, ``question:<id>``, ``group:<id>``,
``confirm``, ``cancel_confirm``, ``resume``, ``amend_pick``. ``to_dict``/``from_dict``
round-trip everything else (``DialogSession.data``); unknown keys are ignored and
missing ones defaulted, so older rows still load.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

IDLE = "idle"
PICK_TARGET = "pick_target"
NEW_TARGET = "new_target"
AT_HOME = "at_home"
APPOINTMENT = "appointment"
CONFIRM = "confirm"
CANCEL_CONFIRM = "cancel_confirm"
RESUME = "resume"
AMEND_PICK = "amend_pick"
QUESTION_PREFIX = "question:"
GROUP_PREFIX = "group:"

# Which questionnaire the current questions come from.
SECTION_MAIN = "main"  # the campaign template (visited in person)
SECTION_AWAY = "away"  # 一般农户 not at home: 附件2 details
SECTION_PHONE = "phone"  # key target not at home: phone contact log
SECTION_CLOSED = "closed"  # a place (shop, school, office) where nobody received the cadre


@dataclass(frozen=True)
class DialogState:
    step: str = IDLE
    template: str = ""
    section: str = SECTION_MAIN
    target: dict[str, Any] | None = None  # TargetInfo fields (+ "new": True when registered now)
    answers: dict[str, Any] = field(default_factory=dict)  # None = skipped optional
    history: tuple[str, ...] = ()  # steps to return to with 上一步
    shown: tuple[int, ...] = ()  # target ids listed, numbered from 1
    started_at: str = ""  # ISO UTC, when the visit draft began
    updated_at: str = ""  # ISO UTC, last message applied
    resume_step: str = ""  # the step a paused/idle draft resumes at
    amend_visit_id: int | None = None
    media: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    page: int = 0
    reasked: str = ""  # the text question just asked again for want of words (once only)

    def with_(self, **changes: Any) -> DialogState:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["history"] = list(self.history)
        data["shown"] = list(self.shown)
        data["media"] = list(self.media)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> DialogState:
        data = dict(data or {})
        known = {f for f in cls.__dataclass_fields__}
        clean = {k: v for k, v in data.items() if k in known}
        for key in ("history", "shown", "media"):
            if key in clean:
                clean[key] = tuple(clean[key] or ())
        if "answers" in clean and not isinstance(clean["answers"], dict):
            clean["answers"] = {}
        return cls(**clean)


def fresh(template: str) -> DialogState:
    return DialogState(template=template)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def parse_iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
