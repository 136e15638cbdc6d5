"""A leader's 进度: the unit's coverage by place and by cadre, laggards first, and its
open and overdue problems — instead of the visiting cadre's "我的进度".

Coverage is :mod:`storage.facts.unit_coverage` (its docstring is the definition), counted
by one aggregate query (:func:`storage.facts.counts.cell_counts`, the same figures); problem
counts are the ledger's visible scope (:func:`storage.problems.count_visible`). A unit of
more than :data:`storage.facts.snapshot.LIVE_UNITS` units (a town, the county) reads the
coverage the scheduler counted in the last minutes (:mod:`storage.facts.snapshot`, the
same cells) and the problems counted by the same job, and says when.
During a visit 进度 stays the dialog's own (the engine's fallback).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.dialogs.steps import holds_draft
from bot.handlers import leader_prompts as P
from bot.handlers.base import HandlerContext, HandlerReply, Incoming, UserState
from bot.handlers.visit_io import MENU_KEYS
from bot.ledger.clocks import overdue_thresholds
from storage.campaigns import find_active_campaign
from storage.db import Session
from storage.facts import snapshot
from storage.facts.counts import cell_counts
from storage.facts.unit_coverage import CoverageLine, by_cadre, by_place, totals
from storage.models import Cadre
from storage.problems import count_visible, count_visible_by_status
from storage.units import subtree_ids, unit_name

LEADER_ROLES = ("leader", "admin")
MAX_LINES = 10
UNFINISHED = ("registered", "assigned", "in_progress")
FOLLOW_UP = ("solved", "explained")


def _percent(line: CoverageLine) -> str:
    return f"{line.rate:.0%}"


def _lines(lines: list[CoverageLine]) -> list[str]:
    out = [
        P.LINE.format(
            label=line.label,
            covered=line.covered,
            assigned=line.assigned,
            rate=_percent(line),
            left=line.left,
        )
        for line in lines[:MAX_LINES]
    ]
    if len(lines) > MAX_LINES:
        out.append(P.MORE_LINES.format(n=len(lines) - MAX_LINES))
    return out


class LeaderProgress:
    """进度 from a leader or admin in any step that holds no draft."""

    name = "leader_progress"

    def matches(self, incoming: Incoming, user: UserState) -> bool:
        if user.cadre is None or user.cadre.role not in LEADER_ROLES:
            return False
        if holds_draft(user.dialog_state):
            return False
        if incoming.msg_type == "event":
            return incoming.event == "click" and MENU_KEYS.get(incoming.event_key) == "进度"
        return incoming.msg_type == "text" and incoming.content.strip() in P.PROGRESS_WORDS

    def handle(
        self, session: Session, ctx: HandlerContext, incoming: Incoming, user: UserState
    ) -> HandlerReply:
        assert user.cadre is not None
        return HandlerReply(unit_progress(session, ctx, user.cadre))


def unit_progress(session: Session, ctx: HandlerContext, leader: Cadre) -> str:
    """The overview text for ``leader``'s unit subtree."""
    campaign = find_active_campaign(session)
    if campaign is None:
        return P.NO_CAMPAIGN
    unit = unit_name(session, leader.unit_id)
    ids = subtree_ids(session, leader.unit_id)
    counted = (
        snapshot.read(session, campaign.id, ids, ctx.now)
        if len(ids) > snapshot.LIVE_UNITS
        else None
    )
    cells = counted[0] if counted else cell_counts(session, campaign.id, ids)
    whole = totals(cells)
    if whole.assigned:
        lines = [
            P.TITLE.format(
                unit=unit,
                assigned=whole.assigned,
                covered=whole.covered,
                rate=_percent(whole),
                left=whole.left,
            ),
            P.COVERED_MEANS,
            *([_as_of(ctx, counted[1])] if counted else []),
            P.BY_PLACE,
            *_lines(by_place(cells)),
            P.BY_CADRE,
            *_lines(by_cadre(cells)),
        ]
    else:
        lines = [P.NO_TARGETS.format(unit=unit)]
    lines.append(_problem_line(session, ctx, leader, ids if counted else None))
    lines.append(P.HINT)
    own = [c for c in cells if c.cadre_id == leader.id]
    if own:
        mine = totals(own)
        lines.append(P.OWN.format(covered=mine.covered, assigned=mine.assigned))
    return "\n".join(lines)


def _as_of(ctx: HandlerContext, counted_at: datetime) -> str:
    local = counted_at.astimezone(ZoneInfo(ctx.config.campaign.timezone))
    return P.AS_OF.format(time=local.strftime("%H:%M"))


def _problem_line(
    session: Session, ctx: HandlerContext, leader: Cadre, snapshot_of: set[int] | None
) -> str:
    """Open and overdue problems the leader sees: from the minute's snapshot when the
    coverage came from it (``snapshot_of``: the subtree), else counted now."""
    counted = snapshot.read_problems(session, snapshot_of, ctx.now) if snapshot_of else None
    if counted is not None:
        counts = {s: counted.get(s, (0, 0))[0] for s in (*UNFINISHED, *FOLLOW_UP)}
        overdue = sum(counted.get(s, (0, 0))[1] for s in UNFINISHED)
    else:
        counts = count_visible_by_status(session, leader, (*UNFINISHED, *FOLLOW_UP))
        overdue = count_visible(
            session,
            leader,
            statuses=UNFINISHED,
            overdue=overdue_thresholds(ctx.now, ctx.config.ledger),
        )
    return P.PROBLEMS.format(
        open=sum(counts[s] for s in UNFINISHED),
        registered=counts["registered"],
        assigned=counts["assigned"],
        in_progress=counts["in_progress"],
        overdue=overdue,
        to_follow_up=sum(counts[s] for s in FOLLOW_UP),
    )
