"""The 问题 list in chat, one page at a time: 问题 [逾期] [类别] [状态], then 更多.

A page holds LIST_LIMIT problems (oldest first). Where it ended and its filters are
kept in the user's dialog session data (``CURSOR``), so "更多" continues the same
list in a later message; the last page forgets it.
"""

from __future__ import annotations

from bot.dialogs.state import IDLE
from bot.dialogs.steps import holds_draft
from bot.handlers import leader_prompts as LP
from bot.handlers import ledger_prompts as P
from bot.handlers import ledger_service as svc
from bot.handlers.base import HandlerContext, UserState
from bot.ledger.clocks import overdue_thresholds
from bot.ledger.workflow import LedgerError
from storage import audit, sessions
from storage.db import Session
from storage.masking import mask_numbers
from storage.models import Cadre, DialogSession, Problem
from storage.problems import OPEN_STATUSES, count_visible, list_visible, shown_whole
from storage.safe_text import one_line
from storage.visit_queries import target_by_id
from storage.vocab import CATEGORIES_CHAIHUDIAN, CATEGORIES_CHANGZHOU, PROBLEM_STATUS

STATUS_WORDS = {v: k for k, v in PROBLEM_STATUS.items()} | {
    "待交办": "registered",
    "未办结": "in_progress",
}
LIST_LIMIT = 20
CURSOR = "problem_list"  # dialog session data: the last 问题 list's filters and position


def listing(
    session: Session,
    ctx: HandlerContext,
    cadre: Cadre,
    words: list[str],
    *,
    after_id: int = 0,
    shown: int = 0,
    dialog: DialogSession | None = None,
) -> str:
    """One page of 问题 [filters]: up to LIST_LIMIT problems after ``after_id``.

    With ``dialog`` (the user's session row) the filters and where the page ended are
    kept in its data (``CURSOR``), so "更多" continues the same list.
    """
    cfg = ctx.config.ledger
    overdue, category, statuses = False, None, None
    for w in words:
        if w in ("逾期", "超期"):
            overdue = True
        elif w in CATEGORIES_CHANGZHOU or w in CATEGORIES_CHAIHUDIAN:
            category = w
        elif w in STATUS_WORDS:
            statuses = (STATUS_WORDS[w],)
        else:
            raise LedgerError(P.BAD_FILTER.format(word=w))
    thresholds = overdue_thresholds(ctx.now, cfg) if overdue else None
    rows = list_visible(
        session,
        cadre,
        category=category,
        overdue=thresholds,
        statuses=statuses or OPEN_STATUSES,
        limit=LIST_LIMIT,
        after_id=after_id,
    )
    total = count_visible(
        session, cadre, category=category, overdue=thresholds, statuses=statuses or OPEN_STATUSES
    )
    if dialog is not None:
        _keep_cursor(dialog, words, rows, shown, total, ctx)
    if not rows:
        return P.LIST_EMPTY if not shown else LP.NO_MORE
    has_more = shown + len(rows) < total
    page = ""
    if has_more or shown:
        page = LP.LIST_PAGE.format(
            first=shown + 1, last=shown + len(rows), next=LP.LIST_NEXT if has_more else ""
        )
    scope = "逾期" if overdue else ""
    lines = [P.LIST_TITLE.format(scope=scope, count=total, more=page)]
    whole = shown_whole(session, cadre, rows)
    # A page names several households and quotes their problems: a bulk view.
    audit.record(
        session,
        ctx.now,
        cadre.userid,
        audit.VIEW_PROBLEM_LIST,
        f"user:{cadre.userid}",
        {"problems": [p.id for p in rows], "filters": words},
    )
    for p in rows:
        target = target_by_id(session, p.target_id)
        # One line per problem: a line break typed in a problem cannot forge an entry.
        flat = one_line(p.text if p.id in whole else mask_numbers(p.text))
        text = flat if len(flat) <= 24 else flat[:24] + "…"
        category_shown = p.category if cfg.default_scheme == "changzhou" else p.category_alt
        lines.append(
            P.LIST_ITEM.format(
                id=p.id,
                status=PROBLEM_STATUS[p.status],
                category=category_shown,
                kind=p.kind,
                target=one_line(target.head_name) if target else "",
                text=text,
                clock=svc.clock_label(p, ctx.now, cfg, ctx.zone),
            )
        )
    lines.append(P.LIST_HINT)
    return "\n".join(lines)


def _keep_cursor(
    dialog: DialogSession,
    words: list[str],
    rows: list[Problem],
    shown: int,
    total: int,
    ctx: HandlerContext,
) -> None:
    """Store where this page ended (or forget it on the last page).

    The 问题 list replaces any list the dialog was showing (households to pick, visits
    to amend): such a resting step is cleared to idle, so 更多 pages this list and a
    bare number is not read against a list no longer on screen. A draft is never
    touched (a bare 问题 does not reach this list while one is held).
    """
    data = dict(dialog.data or {})
    data.pop(CURSOR, None)
    if rows and shown + len(rows) < total:
        data[CURSOR] = {"words": words, "after": rows[-1].id, "shown": shown + len(rows)}
    step = dialog.state if holds_draft(dialog.state) else IDLE
    sessions.write(dialog, step, data, ctx.now)


def next_page(session: Session, ctx: HandlerContext, user: UserState) -> str:
    """更多: the next page of the last 问题 list, with its filters."""
    assert user.cadre is not None and user.dialog is not None
    cursor = (user.dialog.data or {}).get(CURSOR) or {}
    if not cursor:
        return LP.NO_MORE
    return listing(
        session,
        ctx,
        user.cadre,
        [str(w) for w in cursor.get("words", [])],
        after_id=int(cursor.get("after", 0)),
        shown=int(cursor.get("shown", 0)),
        dialog=user.dialog,
    )
