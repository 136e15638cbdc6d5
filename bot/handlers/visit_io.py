"""Translating between WeCom and the dialog engine for the visit handler.

In: an :class:`Incoming` becomes an engine :class:`Message`; the database becomes a
pure :class:`Context`. Out: engine replies become the passive text (always complete
on its own) plus, when the last reply offers buttons, a template card payload.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from bot.dialogs import matching
from bot.dialogs.contracts import Context, Message, Progress, RecentVisit, Reply, TargetInfo
from bot.dialogs.timeparse import local_today
from bot.handlers.base import Incoming
from bot.ledger.classify import classify
from storage import visit_queries, visits
from storage.db import Session
from storage.models import Cadre, Campaign
from storage.safe_text import one_line
from storage.vocab import TARGET_VILLAGE

# Menu (click event) keys the visit handler understands -> the command word they mean.
MENU_KEYS = {"visit": "走访", "new_target": "新增", "amend": "修改", "progress": "进度"}
CARD_PREFIX = "mq"
MAX_CARD_OPTIONS = 20
MAX_BUTTON_TEXT = 12
RECENT_WINDOW = timedelta(hours=24)


def to_message(incoming: Incoming) -> Message:
    if incoming.msg_type == "image":
        return Message(image_media_id=incoming.media_id or "unknown")
    if incoming.msg_type == "location":
        return Message(latitude=incoming.latitude, longitude=incoming.longitude)
    if incoming.event == "click":
        return Message(text=MENU_KEYS.get(incoming.event_key, incoming.event_key))
    if incoming.event == "template_card_event":
        return Message(button=incoming.event_key, selected=incoming.selected)
    return Message(text=incoming.content)


def build_context(
    session: Session,
    campaign: Campaign,
    cadre: Cadre,
    now: datetime,
    zone: tzinfo,
    per_village: bool = False,
) -> Context:
    """The engine's view of this cadre: their targets with status, progress, recent visits,
    each read from the database only if the step asks for it (:class:`CadreView`).

    ``per_village``: the template is filled once per village, so the targets are the
    cadre's 村/社区 (kind 'village'; their own village is added on first use). Otherwise
    village targets are left out: the list, 进度 and 共应走访 are households and places.
    """
    if per_village:
        visits.village_target(session, campaign.id, cadre)
    view = CadreView(session, campaign.id, cadre, now, zone, per_village)
    return Context(
        now,
        zone,
        tokenize=matching.jieba_tokenizer(),
        is_problem=says_a_problem,
        source=view,
    )


@dataclass(frozen=True)
class CadreView:
    """The :class:`~bot.dialogs.contracts.ContextSource` of one cadre in one step."""

    session: Session
    campaign_id: int
    cadre: Cadre
    now: datetime
    zone: tzinfo
    per_village: bool

    def targets(self) -> tuple[TargetInfo, ...]:
        rows = visit_queries.targets_for(self.session, self.campaign_id, self.cadre.id)
        rows = [t for t in rows if (t.kind == TARGET_VILLAGE) == self.per_village]
        # Names and places become list lines and buttons: one line each, no invisible marks.
        return tuple(
            TargetInfo(
                id=t.id,
                name=one_line(t.name),
                address=one_line(t.address),
                grid=one_line(t.grid),
                phone=t.phone,
                is_key=t.is_key,
                categories=t.categories,
                status=t.status,
                appointment_at=t.appointment_at,
                not_home_count=t.not_home_count,
                missed_count=t.missed_count,
                kind=t.kind,
            )
            for t in rows
        )

    def progress(self) -> Progress:
        today = local_today(self.now, self.zone)
        figures = visit_queries.progress(
            self.session,
            self.campaign_id,
            self.cadre,
            visit_queries.deadline(self.session, self.campaign_id, today),
        )
        return Progress(
            visited=figures.visited,
            phone=figures.phone,
            assigned=figures.assigned,
            key_left=figures.key_left,
            deadline=figures.deadline,
            away=figures.away,
            missed=figures.missed,
            pending=figures.pending,
            percent=figures.percent,
            kinds=figures.kinds,
        )

    def recent_visits(self) -> tuple[RecentVisit, ...]:
        found = visit_queries.recent_visits(self.session, self.cadre.id, self.now - RECENT_WINDOW)
        targets = visit_queries.targets_by_id(self.session, {v.target_id for v in found})
        recent = []
        for v in found:
            target = targets.get(v.target_id)
            place = " ".join(p for p in ((target.grid, target.address) if target else ()) if p)
            recent.append(
                RecentVisit(
                    visit_id=v.id,
                    target_id=v.target_id,
                    target_name=target.head_name if target else "",
                    address=place,
                    outcome=v.outcome,
                    submitted_at=v.submitted_at,
                    answers=dict(v.answers or {}),
                )
            )
        return tuple(recent)


def says_a_problem(text: str) -> bool:
    """The ledger classifier's verdict on a typed answer (the engine's ``is_problem``)."""
    return classify(text).problem


def passive_text(replies: tuple[Reply, ...]) -> str:
    return "\n\n".join(r.text for r in replies if r.text)


def task_id(userid: str, version: int) -> str:
    """A card task id unique per user and message (WeCom: letters, digits, _-@, ≤128)."""
    digest = hashlib.sha1(userid.encode("utf-8")).hexdigest()[:10]
    return f"{CARD_PREFIX}{digest}-{version}"


def card_payload(reply: Reply, task: str) -> dict[str, Any] | None:
    """A template card for ``reply``'s buttons (None when it has none)."""
    if not reply.buttons:
        return None
    first_line = next((line for line in reply.text.splitlines() if line.strip()), "")
    card: dict[str, Any] = {
        "task_id": task,
        "source": {"desc": "民情大走访"},
        "main_title": {"title": (reply.title or "请选择")[:26], "desc": first_line[:44]},
    }
    if reply.multi:
        card["card_type"] = "vote_interaction"
        card["checkbox"] = {
            "question_key": "answer",
            "mode": 1,
            "option_list": [
                {"id": b.key.removeprefix("a:"), "text": b.label[: MAX_BUTTON_TEXT * 2]}
                for b in reply.buttons[:MAX_CARD_OPTIONS]
            ],
        }
        card["submit_button"] = {"text": "提交", "key": "submit"}
    else:
        card["card_type"] = "button_interaction"
        card["button_list"] = [
            {"text": b.label[:MAX_BUTTON_TEXT], "key": b.key} for b in reply.buttons[:6]
        ]
    return {"msgtype": "template_card", "template_card": card}
