"""模板: an administrator lists the questionnaire templates or switches the campaign's.

    模板            the templates, numbered, the current one marked
    模板 3          switch to the third; 模板 fangminqing switches by name

Administrators only (role ``admin``); everyone else is refused politely and nothing
changes. A switch is checked first (the template must load), recorded in the
AuditLog (:func:`storage.campaigns.switch_template`, the same function as
``minqing template use``), and a draft in progress continues under the new template.
Matches only outside a visit, so a cadre answering a question with "模板" is not
taken for a command.
"""

from __future__ import annotations

import re

from bot.dialogs import template as tpl
from bot.dialogs.steps import holds_draft
from bot.handlers import prompts as P
from bot.handlers.base import HandlerContext, HandlerReply, Incoming, UserState
from bot.handlers.visit import active_campaign, campaign_template
from storage import campaigns
from storage.db import Session

COMMAND = re.compile(r"^模板(?:\s+(\S+))?\s*$")
ADMIN = "admin"


class TemplateCommand:
    name = "template"

    def matches(self, incoming: Incoming, user: UserState) -> bool:
        if incoming.msg_type != "text" or user.cadre is None:
            return False
        if holds_draft(user.dialog_state):
            return False
        return bool(COMMAND.match(incoming.content.strip()))

    def handle(
        self, session: Session, ctx: HandlerContext, incoming: Incoming, user: UserState
    ) -> HandlerReply:
        assert user.cadre is not None
        if user.cadre.role != ADMIN:
            return HandlerReply(P.TEMPLATE_ADMIN_ONLY)
        match = COMMAND.match(incoming.content.strip())
        assert match is not None
        try:
            campaign = active_campaign(session, ctx)
        except campaigns.CampaignError as exc:
            return HandlerReply(str(exc))
        names = list(tpl.available())
        current = campaign.template or ctx.config.campaign.template
        wanted = match.group(1)
        if wanted is None:
            return HandlerReply(listing(names, current))
        if wanted.isdecimal() and 1 <= int(wanted) <= len(names):
            wanted = names[int(wanted) - 1]
        if wanted not in names:
            return HandlerReply(P.TEMPLATE_UNKNOWN.format(name=wanted))
        try:
            chosen = campaign_template(wanted)
        except tpl.TemplateError as exc:
            return HandlerReply(P.TEMPLATE_BROKEN.format(name=wanted, error=exc))
        if wanted == current:
            return HandlerReply(P.TEMPLATE_SAME.format(name=wanted, title=chosen.title))
        before = campaigns.switch_template(session, campaign, wanted, user.userid, ctx.now)
        return HandlerReply(
            P.TEMPLATE_SWITCHED.format(
                campaign=campaign.name, name=wanted, title=chosen.title, before=before
            )
        )


def listing(names: list[str], current: str) -> str:
    """The numbered template list; a template that does not load is shown as broken."""
    lines = [P.TEMPLATE_LIST_TITLE.format(current=current)]
    for n, name in enumerate(names, 1):
        try:
            t = campaign_template(name)
        except tpl.TemplateError as exc:
            lines.append(f"{n}. {P.TEMPLATE_BROKEN.format(name=name, error=exc)}")
            continue
        lines.append(
            P.TEMPLATE_LIST_ITEM.format(
                n=n,
                id=name,
                title=t.title,
                seed=t.seed,
                per_village=P.TEMPLATE_PER_VILLAGE if "household" not in t.applies_to else "",
                mark=P.TEMPLATE_CURRENT_MARK if name == current else "",
            )
        )
    lines.append(P.TEMPLATE_LIST_HINT)
    return "\n".join(lines)
