"""报表: a link card to the pages' 总览 (:func:`bot.pages.links.overview_url`).

The card (``textcard``, shown in the WeChat plugin too) goes to the sender only,
through the outbox; the passive reply stays empty. Without ``[pages] enabled`` and
``secret_key`` the sender is told the pages are not open yet.
"""

from __future__ import annotations

from typing import Any

from bot.dialogs import timeparse
from bot.dialogs.steps import holds_draft
from bot.handlers import export_prompts as P
from bot.handlers.base import HandlerContext, HandlerReply, Incoming, UserState
from bot.handlers.exports import command_rest, scope_label
from bot.pages.links import overview_url, pages_configured
from storage.db import Session


class ReportLink:
    """报表 / 总览 (or the menu's report key) from any cadre in a step that holds no draft."""

    name = "report_link"

    def matches(self, incoming: Incoming, user: UserState) -> bool:
        if user.cadre is None or holds_draft(user.dialog_state):
            return False
        return command_rest(incoming, P.REPORT_WORDS, P.REPORT_MENU_KEY) == ""

    def handle(
        self, session: Session, ctx: HandlerContext, incoming: Incoming, user: UserState
    ) -> HandlerReply:
        assert user.cadre is not None
        config = ctx.config
        if not pages_configured(config):
            return HandlerReply(P.REPORT_NOT_CONFIGURED)
        card: dict[str, Any] = {
            "title": P.REPORT_CARD_TITLE,
            "description": P.REPORT_CARD_DESCRIPTION.format(
                day=timeparse.local_today(ctx.now, ctx.zone).isoformat(),
                unit=scope_label(session, user.cadre),
                hours=config.pages.link_ttl_minutes // 60 or 1,
            ),
            "url": overview_url(config, user.userid, ctx.now),
            "btntxt": P.REPORT_CARD_BUTTON,
        }
        return HandlerReply(after=({"msgtype": "textcard", "textcard": card},))
