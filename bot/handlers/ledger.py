"""Chat commands for the problem ledger (see docs/ledger.md).

    问题 [逾期] [类别] [状态]     list problems in my scope, with clocks
    问题 12                      one problem, its history and the category menu
    交办 12 综治办 [7天]          受理 12      办结 12 说明      解释 12 说明
    交办 12 虹桥村 市住建局 [联动|镇村|市直] [15天]  (协办单位, 责任分类)
    延期 12 7天 原因              回访 12 满意|基本满意|不满意 [说明]
    改类 12 3                     (or a tap on the classification card)

Parsing happens here; rules in bot.ledger.workflow; storing and notifying in
bot.handlers.ledger_service. Every refusal is a Chinese sentence and changes nothing.
"""

from __future__ import annotations

import difflib
import re

from bot.dialogs.state import IDLE
from bot.dialogs.steps import holds_draft
from bot.handlers import leader_prompts as LP
from bot.handlers import ledger_prompts as P
from bot.handlers import ledger_service as svc
from bot.handlers.base import HandlerContext, HandlerReply, Incoming, UserState
from bot.handlers.ledger_list import listing, next_page
from bot.ledger.responsibility import CLASS_WORDS, responsibility_for
from bot.ledger.workflow import LedgerError, Request, action_label
from storage.db import Session
from storage.masking import mask_numbers
from storage.models import Cadre
from storage.problems import history_with_actors, shown_whole
from storage.safe_text import one_line
from storage.units import find_unit, unit_level, unit_name, unit_names_offices_first
from storage.visit_queries import target_by_id
from storage.vocab import (
    PROBLEM_STATUS,
    RESPONSIBILITY,
    SATISFACTION,
)

VERBS = {
    "交办": "assign",
    "受理": "start",
    "办结": "solve",
    "解释": "explain",
    "延期": "extend",
    "回访": "follow_up",
}
COMMAND = re.compile(r"^(问题|交办|受理|办结|解释|延期|回访|改类)(?=$|\s|#?\d|逾期|超期)")
NUMBERED = re.compile(r"^(?:问题|交办|受理|办结|解释|延期|回访|改类)\s*#?\d+")
DAYS = re.compile(r"^(\d+)\s*天?$")
CARD_KEY = re.compile(r"^ledger:reclass:(\d+):(\d+)$")


class LedgerCommands:
    """Text commands of the ledger; a bare 问题 is left to the dialog while it holds a draft."""

    name = "ledger"

    def matches(self, incoming: Incoming, user: UserState) -> bool:
        if incoming.msg_type != "text" or user.cadre is None:
            return False
        text = incoming.content.strip()
        if holds_draft(user.dialog_state):
            return bool(NUMBERED.match(text))
        if text in LP.MORE_WORDS:  # the target list (pick_target) has pages of its own
            return user.dialog is not None and user.dialog_state in ("", IDLE)
        return bool(COMMAND.match(text))

    def handle(
        self, session: Session, ctx: HandlerContext, incoming: Incoming, user: UserState
    ) -> HandlerReply:
        assert user.cadre is not None
        text = incoming.content.strip()
        try:
            if text in LP.MORE_WORDS:
                return HandlerReply(next_page(session, ctx, user))
            verb, rest = split_command(text)
            if verb == "问题" and not (rest and rest[0].lstrip("#").isdecimal()):
                return HandlerReply(listing(session, ctx, user.cadre, rest, dialog=user.dialog))
            return HandlerReply(run(session, ctx, user.cadre, verb, rest))
        except LedgerError as exc:
            return HandlerReply(exc.message)


class ReclassifyCard:
    """A tap on the classification card's button: correct the category in one step."""

    name = "ledger_card"

    def matches(self, incoming: Incoming, user: UserState) -> bool:
        return incoming.event == "template_card_event" and bool(CARD_KEY.match(incoming.event_key))

    def handle(
        self, session: Session, ctx: HandlerContext, incoming: Incoming, user: UserState
    ) -> HandlerReply:
        assert user.cadre is not None
        m = CARD_KEY.match(incoming.event_key)
        assert m is not None
        try:
            return HandlerReply(_reclassify(session, ctx, user.cadre, int(m[1]), int(m[2])))
        except LedgerError as exc:
            return HandlerReply(exc.message)


def handlers() -> list[LedgerCommands | ReclassifyCard]:
    return [ReclassifyCard(), LedgerCommands()]


def split_command(text: str) -> tuple[str, list[str]]:
    m = COMMAND.match(text)
    assert m is not None
    return m[1], text[m.end() :].split()


def _number(word: str | None, example: str) -> int:
    if word is None or not word.lstrip("#").isdecimal():
        raise LedgerError(P.BAD_NUMBER.format(example=example))
    return int(word.lstrip("#"))


def _days(word: str) -> int | None:
    m = DAYS.match(word)
    return int(m[1]) if m else None


def _unknown_unit(session: Session, pid: int, name: str) -> str:
    """The refusal for a unit not found; its example names a unit that exists."""
    names = unit_names_offices_first(session)
    close = [n for n in names if name and (n in name or name in n)]
    close += difflib.get_close_matches(name, names, n=3, cutoff=0.5) if name else []
    close = list(dict.fromkeys(close))[:3]
    shown = close or names[:5]
    example = P.ASSIGN_EXAMPLE.format(id=pid, unit=shown[0] if shown else "承办单位")
    if not name:
        return P.MISSING_UNIT.format(example=example)
    hint = P.UNIT_DID_YOU_MEAN if close else P.UNIT_CHOICES
    return P.UNKNOWN_UNIT.format(
        name=name, hint=hint.format(names="、".join(shown)), example=example
    )


def run(session: Session, ctx: HandlerContext, cadre: Cadre, verb: str, words: list[str]) -> str:
    """Execute one command for ``cadre``; return the reply text (LedgerError on refusal)."""
    if verb == "问题":
        if words and words[0].lstrip("#").isdecimal():
            return detail(session, ctx, cadre, int(words[0].lstrip("#")))
        return listing(session, ctx, cadre, words)
    pid = _number(words[0] if words else None, f"{verb} 12")
    args = words[1:]
    if verb == "改类":
        # A missing, negative or non-numeric choice is out of the menu's range (0):
        # the reply names the category menu, not the problem number.
        choice = args[0] if args else ""
        index = int(choice) if re.fullmatch(r"[+-]?\d{1,6}", choice) else 0
        return _reclassify(session, ctx, cadre, pid, index)
    action = VERBS[verb]
    req = Request(action)
    if action == "assign":
        req = _assign_request(session, pid, args)
    elif action == "extend":
        days = _days(args[0]) if args else None
        req = Request(action, extend_days=days, note=" ".join(args[1:] if days else args))
    elif action == "follow_up":
        sat = args[0] if args and args[0] in SATISFACTION else None
        req = Request(action, satisfaction=sat, note=" ".join(args[1:] if sat else args))
    elif action in ("solve", "explain"):
        req = Request(action, note=" ".join(args))
    out = svc.act(session, cadre, pid, req, ctx.now, ctx.config.ledger, ctx.zone)
    p = out.problem
    key = (
        "reopened" if action == "follow_up" and out.decision.to_status != "followed_up" else action
    )
    return P.DONE[key].format(
        id=p.id,
        unit=unit_name(session, p.assignee_unit_id),
        responsibility=RESPONSIBILITY.get(p.responsibility, p.responsibility),
        deadline=svc.local_date(p.deadline, ctx.zone),
        satisfaction=p.satisfaction or "",
        status=PROBLEM_STATUS[p.status],
    )


def _assign_request(session: Session, pid: int, args: list[str]) -> Request:
    """交办 UNIT [CO-UNIT…] [镇村|联动|市直] [N天] [note]: the 责任分类 is the stated one,
    else from the units' levels in the roster (bot.ledger.responsibility)."""
    unit = find_unit(session, args[0]) if args else None
    if unit is None:
        raise LedgerError(_unknown_unit(session, pid, args[0] if args else ""))
    rest, stated, co_units = args[1:], None, []
    while rest and (rest[0] in CLASS_WORDS or find_unit(session, rest[0]) is not None):
        if rest[0] in CLASS_WORDS:
            stated = CLASS_WORDS[rest[0]]
        else:
            co = find_unit(session, rest[0])
            assert co is not None
            co_units.append(co)
        rest = rest[1:]
    days = None
    if rest:
        days = _days(rest[0])
        if days is None:
            raise LedgerError(P.BAD_DAYS.format(text=rest[0]))
        rest = rest[1:]
    if rest and rest[0] in CLASS_WORDS:
        stated, rest = CLASS_WORDS[rest[0]], rest[1:]
    responsibility = responsibility_for(
        unit_level(session, unit.id), [unit_level(session, c.id) for c in co_units], stated
    )
    note = " ".join(rest)
    if co_units:
        together = P.CO_ASSIGNEES.format(units="、".join(c.name for c in co_units))
        note = f"{together} {note}".strip()
    return Request(
        "assign",
        assignee_unit_id=unit.id,
        deadline_days=days,
        note=note,
        responsibility=responsibility,
    )


def _reclassify(session: Session, ctx: HandlerContext, cadre: Cadre, pid: int, index: int) -> str:
    p = svc.reclassify(
        session, cadre, pid, ctx.config.ledger.default_scheme, index, ctx.now, ctx.zone
    )
    return P.RECLASSIFIED.format(id=p.id, category=p.category, category_alt=p.category_alt)


def detail(session: Session, ctx: HandlerContext, cadre: Cadre, pid: int) -> str:
    p = svc.load(session, cadre, pid)
    cfg = ctx.config.ledger
    target = target_by_id(session, p.target_id)
    assignee = unit_name(session, p.assignee_unit_id)
    lines = [
        P.DETAIL.format(
            id=p.id,
            status=PROBLEM_STATUS[p.status],
            target=one_line(target.head_name) if target else "",
            unit=unit_name(session, p.unit_id),
            text=one_line(p.text if shown_whole(session, cadre, [p]) else mask_numbers(p.text)),
            category=p.category,
            category_alt=p.category_alt,
            kind=p.kind,
            review=P.DETAIL_REVIEW if p.needs_review else "",
            responsibility=RESPONSIBILITY.get(p.responsibility, p.responsibility),
            assignee=assignee or "—",
            clock=svc.clock_label(p, ctx.now, cfg, ctx.zone),
        ),
        P.DETAIL_HISTORY,
    ]
    for e, actor in history_with_actors(session, p.id):
        lines.append(
            P.DETAIL_EVENT.format(
                at=svc.local(e.at, ctx.zone),
                actor=actor,
                note=f"：{one_line(e.note)}" if e.note else "",
                action=action_label(e.action),
            )
        )
    options = svc.CATEGORY_OPTIONS[cfg.default_scheme]
    lines.append(
        P.RECLASSIFY_MENU.format(
            id=p.id, options=" ".join(f"{i}.{c}" for i, c in enumerate(options, 1))
        )
    )
    return "\n".join(lines)
