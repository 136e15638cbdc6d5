"""The visit handler: 走访 and everything said during a visit goes through the dialog engine.

One callback = one unit of work (owned by :mod:`bot.gateway.apply`): load the user's
session row (already locked), run ``engine.step``, then store the new state AND
carry out the effects (visit rows, problems, photos, messages to the leader) in the
same transaction, so a crash between two messages loses nothing and saves nothing
twice. Choice questions are also pushed as a template card through the outbox;
the passive text reply is complete on its own.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import lru_cache
from typing import Any

from bot.dialogs import engine
from bot.dialogs import template as tpl
from bot.dialogs.contracts import (
    AmendVisit,
    AttachMedia,
    Effect,
    FlagNotHomeTwice,
    Message,
    SaveVisit,
)
from bot.dialogs.state import IDLE, DialogState
from bot.dialogs.steps import holds_draft
from bot.handlers import visit_io, visit_ledger
from bot.handlers.base import HandlerContext, HandlerReply, Incoming, UserState
from storage import campaigns, outbox, sessions, visit_queries, visits
from storage.db import Session
from storage.models import Cadre, Campaign, Problem
from storage.vocab import TARGET_PLACE

log = logging.getLogger("minqing.visit")

STALE_CARD = "这张卡片已过期，请按最新一条消息回答。"
TEMPLATE_BROKEN = "走访问卷模板有误，暂时无法登记，请联系管理员。"
NOT_HOME_TWICE = "【走访提醒】{cadre} 负责的 {name}（{place}）已两次未遇到户主，请关注并协调走访。"
NOT_RECEIVED_TWICE = (
    "【走访提醒】{cadre} 负责的 {name}（{place}）已两次无人接待，请关注并协调走访。"
)
# No phone number and no category: leaders' chats may be read over a shoulder.
PHONE_MISSED_TWICE = (
    "【走访提醒】{cadre} 负责的重点对象 {name}（{place}）两次电话未接通，仍未联系上，"
    "请关注并协调走访。"
)
STARTING_COMMANDS = ("visit", "new", "amend", "progress")


@lru_cache(maxsize=16)
def _load(name: str, mtime: float) -> tpl.Template:
    return tpl.load_named(name)


def campaign_template(name: str) -> tpl.Template:
    """The named template, reloaded when its file changes (administrators edit them)."""
    try:  # one stat per callback (not a directory listing): tpl.available()'s path
        mtime = (tpl.TEMPLATES_DIR / f"{name}.toml").stat().st_mtime
    except (OSError, ValueError):
        mtime = 0.0
    return _load(name, mtime)


def active_campaign(session: Session, ctx: HandlerContext) -> Campaign:
    """The active campaign, added from the config's ``[campaign]`` when there is none.

    Raises :class:`storage.campaigns.CampaignError` (a message for the user).
    """
    cfg = ctx.config.campaign
    return campaigns.get_or_create_active_campaign(
        session, cfg.name, cfg.template, cfg.quota_per_cadre
    )


class VisitHandler:
    name = "visit"

    def matches(self, incoming: Incoming, user: UserState) -> bool:
        if user.cadre is None or user.dialog is None:
            return False
        if incoming.msg_type == "event":
            if incoming.event == "template_card_event":
                return incoming.task_id.startswith(visit_io.CARD_PREFIX)
            return incoming.event == "click" and incoming.event_key in visit_io.MENU_KEYS
        step = user.dialog.state or IDLE
        if incoming.msg_type in ("image", "location"):
            return step != IDLE  # when idle the built-in "unsupported" answer applies
        if incoming.msg_type != "text":
            return False
        if holds_draft(step):
            return True  # every word answers the draft, or is one of the dialog's fallbacks
        command = engine.command_of(Message(text=incoming.content))
        if command in STARTING_COMMANDS:
            return True
        # A resting step (a list to pick from, a name to type) holds nothing to protect:
        # the top-level commands of the handlers before this one (问题, 模板, a leader's
        # 进度) have already matched; 帮助 falls through to the general help.
        return step != IDLE and command != "help"

    def handle(
        self, session: Session, ctx: HandlerContext, incoming: Incoming, user: UserState
    ) -> HandlerReply:
        cadre, row = user.cadre, user.dialog
        assert cadre is not None and row is not None
        stored = sessions.read(row)
        if incoming.event == "template_card_event" and incoming.task_id != stored.data.get(
            "card_task"
        ):
            return HandlerReply(STALE_CARD)
        try:
            campaign = active_campaign(session, ctx)
        except campaigns.CampaignError as exc:
            return HandlerReply(str(exc))
        try:
            template = campaign_template(campaign.template or ctx.config.campaign.template)
        except tpl.TemplateError as exc:
            log.error("campaign template unusable: %s", exc)
            return HandlerReply(TEMPLATE_BROKEN)
        if incoming.event == "template_card_event" and incoming.response_code:
            # Grey out the pressed card so an old card is not pressed twice.
            done = {"response_code": incoming.response_code, "button": {"replace_name": "已提交"}}
            outbox.enqueue(session, "update_card", cadre.userid, done, ctx.now)
        state = DialogState.from_dict(stored.data).with_(step=stored.step)
        per_village = "household" not in template.applies_to
        context = visit_io.build_context(
            session, campaign, cadre, ctx.now, ctx.runtime.zone, per_village
        )
        outcome = engine.step(template, state, visit_io.to_message(incoming), context)
        new: list[Problem] = []
        listed: list[Problem] = []
        for effect in outcome.effects:
            filed = apply_effect(session, ctx, campaign, cadre, effect)
            new.extend(filed.new)
            listed.extend(filed.listed)
        scheme = ctx.config.ledger.default_scheme
        visit_ledger.offer(session, cadre, new, scheme, ctx.now)
        data = outcome.state.to_dict()
        data.pop("step", None)
        last = outcome.replies[-1] if outcome.replies else None
        cards: tuple[dict[str, Any], ...] = ()
        if last is not None and last.buttons:
            task = visit_io.task_id(cadre.userid, (row.version or 0) + 1)
            payload = visit_io.card_payload(last, task)
            if payload is not None:
                cards = (payload,)  # sent after the summary it confirms (HandlerReply.after)
                data["card_task"] = task
        sessions.write(row, outcome.state.step, data, ctx.now)
        text = visit_io.passive_text(outcome.replies)
        drafts = [
            d for e in outcome.effects if isinstance(e, SaveVisit | AmendVisit) for d in e.problems
        ]
        return HandlerReply(visit_ledger.saved_text(text, drafts, listed, scheme), after=cards)


def apply_effect(
    session: Session, ctx: HandlerContext, campaign: Campaign, cadre: Cadre, effect: Effect
) -> visit_ledger.Filed:
    """Carry out one engine effect; returns what it filed in the ledger."""
    now = ctx.now
    if isinstance(effect, SaveVisit):
        target_id = effect.target_id
        if effect.new_target is not None:
            nt = effect.new_target
            target_id = visits.register_target(
                session, campaign.id, cadre, nt.name, nt.address, nt.phone
            ).id
        assert target_id is not None
        _, filed = visits.save_visit(
            session,
            campaign_id=campaign.id,
            cadre=cadre,
            target_id=target_id,
            template=effect.template,
            outcome=effect.outcome,
            answers=effect.answers,
            problems=visit_ledger.raised_items(effect.problems),
            classify=visit_ledger.classify,
            started_at=effect.started_at,
            now=now,
            appointment_at=effect.appointment_at,
            media_ids=effect.media_ids,
            latitude=effect.latitude,
            longitude=effect.longitude,
        )
        return visit_ledger.Filed(filed, filed)
    if isinstance(effect, AmendVisit):
        amended = visits.amend_visit(
            session,
            visit_id=effect.visit_id,
            cadre_id=cadre.id,
            answers=effect.answers,
            problems=visit_ledger.raised_items(effect.problems),
            classify=visit_ledger.classify,
            now=now,
            not_before=now - timedelta(hours=24),
            outcome=effect.outcome,
            appointment_at=effect.appointment_at,
        )
        return visit_ledger.Filed(amended.new, amended.kept + amended.new)
    if isinstance(effect, AttachMedia):
        # Fetched after commit by scheduler.jobs_visits.download_visit_media: no network
        # call while this callback holds the user's lock (WeCom wants a reply within 5 s).
        visits.add_media(session, cadre.id, effect.media_id, None, "image/jpeg", now)
    elif isinstance(effect, FlagNotHomeTwice):
        _flag_not_home(session, ctx, campaign, cadre, effect)
    return visit_ledger.Filed()


def _flag_not_home(
    session: Session, ctx: HandlerContext, campaign: Campaign, cadre: Cadre, flag: FlagNotHomeTwice
) -> None:
    target = visit_queries.target_by_id(session, flag.target_id)
    if target is None:
        return
    leaders = [u for u in visit_queries.leaders_of(session, target.unit_id) if u != cadre.userid]
    if not leaders:
        return
    place = " ".join(p for p in (target.grid, target.address) if p) or "-"
    missed = flag.reason == "phone_missed"
    if missed:
        message = PHONE_MISSED_TWICE
    else:
        message = NOT_RECEIVED_TWICE if target.kind == TARGET_PLACE else NOT_HOME_TWICE
    text = message.format(cadre=cadre.name, name=target.head_name, place=place)
    kind = "phone-missed-twice" if missed else "not-home-twice"
    outbox.enqueue_to_users(
        session,
        leaders,
        outbox.text_payload(text),
        ctx.now,
        dedupe_key=f"{kind}:{campaign.id}:{target.id}",
    )
