"""导出 in chat: the tables the sender may have, and one of them sent as a file.

``导出`` lists the tables of :func:`storage.exports.tables_for` (the sender's role),
numbered as in `minqing export --list`. ``导出 问题清单 本月`` checks the table and the
period, answers at once and queues the file for the sender only
(:func:`bot.outbox.export_files.export_payload`): the sender process builds the
workbook in the sender's chat scope (`minqing export --as USERID`), uploads it and
sends it as a file message. A bad table or period gets a Chinese answer and queues
nothing.
"""

from __future__ import annotations

import re
from datetime import date

from bot.dialogs import timeparse
from bot.dialogs.steps import holds_draft
from bot.handlers import export_prompts as P
from bot.handlers.base import HandlerContext, HandlerReply, Incoming, UserState
from bot.outbox.export_files import export_payload
from storage.campaigns import find_active_campaign
from storage.db import Session
from storage.exports import TABLES, TableSpec, tables_for
from storage.models import Cadre
from storage.problems import LEADER_ROLES
from storage.safe_text import one_line
from storage.units import unit_name

_NUMBER = re.compile(r"^(\d{1,2})(?!\d)")
# Every name a table answers to, longest first: "问题清单" before its alias "问题".
_NAMES = sorted(
    (
        (name, key)
        for key, spec in TABLES.items()
        for name in (key, spec.title, *P.ALIASES.get(key, ()))
    ),
    key=lambda pair: -len(pair[0]),
)
_POSITION = {key: n for n, key in enumerate(TABLES, start=1)}


def command_rest(incoming: Incoming, words: tuple[str, ...], menu_key: str) -> str | None:
    """What follows one of ``words`` (or '' for the menu click ``menu_key``), or None
    when the callback is not that command."""
    if incoming.msg_type == "event":
        return "" if incoming.event == "click" and incoming.event_key == menu_key else None
    if incoming.msg_type != "text":
        return None
    text = incoming.content.strip()
    for word in words:
        if text.startswith(word):
            return text[len(word) :].strip()
    return None


def find_table(text: str) -> tuple[str | None, str]:
    """(table key or None, the rest of ``text``) for "问题清单 本月" or "6 本月"."""
    if m := _NUMBER.match(text):
        n = int(m[1])
        keys = list(TABLES)
        return (keys[n - 1] if 1 <= n <= len(keys) else None), text[m.end() :].strip()
    lowered = text.lower()
    for name, key in _NAMES:
        if lowered.startswith(name.lower()):
            return key, text[len(name) :].strip()
    return None, text


def scope_label(session: Session, cadre: Cadre) -> str:
    if cadre.role in LEADER_ROLES:
        return P.SCOPE_UNIT.format(unit=unit_name(session, cadre.unit_id))
    return P.SCOPE_OWN


def table_list(session: Session, cadre: Cadre) -> str:
    allowed = tables_for(cadre.role)
    lines = [P.LIST_TITLE.format(scope=scope_label(session, cadre))]
    lines += [
        P.LIST_LINE.format(
            n=_POSITION[spec.key],
            title=spec.title,
            phone=P.LIST_HAS_PHONE if spec.has_phone else "",
        )
        for spec in allowed
    ]
    lines.append(P.LIST_HINT.format(first=_POSITION["problems"]))
    return "\n".join(lines)


def _period_label(first: date | None, last: date | None) -> str:
    if first is None or last is None:
        return P.PERIOD_ALL
    return P.PERIOD_DAYS.format(first=first.isoformat(), last=last.isoformat())


def _echo(typed: str) -> str:
    """What the user typed, shown back on one line and short."""
    flat = one_line(typed)
    return flat if len(flat) <= 20 else flat[:20] + "…"


class ExportCommand:
    """导出 [表] [时间] from any cadre in a step that holds no draft."""

    name = "export"

    def matches(self, incoming: Incoming, user: UserState) -> bool:
        if user.cadre is None or holds_draft(user.dialog_state):
            return False
        return command_rest(incoming, P.EXPORT_WORDS, P.EXPORT_MENU_KEY) is not None

    def handle(
        self, session: Session, ctx: HandlerContext, incoming: Incoming, user: UserState
    ) -> HandlerReply:
        cadre = user.cadre
        assert cadre is not None
        rest = command_rest(incoming, P.EXPORT_WORDS, P.EXPORT_MENU_KEY) or ""
        campaign = find_active_campaign(session)
        if campaign is None:
            return HandlerReply(P.NO_CAMPAIGN)
        if not rest:
            return HandlerReply(table_list(session, cadre))
        key, period_text = find_table(rest)
        allowed: dict[str, TableSpec] = {spec.key: spec for spec in tables_for(cadre.role)}
        if key is None or key not in allowed:
            return HandlerReply(P.UNKNOWN_TABLE.format(name=_echo(rest.split()[0])))
        first: date | None = None
        last: date | None = None
        if period_text and period_text not in ("全部", "所有"):
            period = timeparse.parse_period(period_text, ctx.now, ctx.zone)
            if period is None:
                return HandlerReply(P.BAD_PERIOD.format(text=_echo(period_text)))
            first, last = period
        text = P.QUEUED.format(
            title=allowed[key].title,
            period=_period_label(first, last),
            scope=scope_label(session, cadre),
        )
        payload = export_payload(key, cadre.userid, campaign.id, first, last)
        return HandlerReply(text, after=(payload,))
