"""Where a saved visit meets the problem ledger.

The dialog engine says which answers raised problems (:class:`ProblemDraft`); here
they are classified (the ledger's jieba model, loaded once per process), filed
through the ledger's one code path (:func:`storage.problem_intake.create_from_visit`,
called by :mod:`storage.visits`), offered to the finder as one-tap correction cards
(:func:`bot.handlers.ledger_service.offer_corrections`) and listed, with their
ledger numbers and categories, in the "已保存" reply. All inside the callback's unit
of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.dialogs import render
from bot.dialogs.contracts import ProblemDraft
from bot.handlers import ledger_prompts as P
from bot.handlers.ledger_service import offer_corrections
from bot.ledger.classify import classify
from storage.db import Session
from storage.models import Cadre, Problem
from storage.problem_intake import RaisedItem

__all__ = [
    "Filed",
    "classify",
    "offer",
    "raised_items",
    "saved_text",
]  # classify: for storage.visits


@dataclass(frozen=True)
class Filed:
    """An effect's problems: ``new`` get a correction card, ``listed`` go in the reply."""

    new: list[Problem] = field(default_factory=list)
    listed: list[Problem] = field(default_factory=list)


def raised_items(drafts: Sequence[ProblemDraft]) -> list[RaisedItem]:
    """The engine's drafts as the ledger's items. A category the template fixes (e.g.
    the 柴胡店 theme the cadre picked) stays; the classifier fills in the scheme the
    template leaves open (see :func:`storage.problem_intake.verdict_for`)."""
    return [
        RaisedItem(d.text, d.source_question, d.kind, d.category, d.category_alt, d.handling)
        for d in drafts
    ]


def offer(
    session: Session, finder: Cadre, problems: list[Problem], scheme: str, now: datetime
) -> None:
    """One classification card per new problem, to the finder's private chat."""
    if problems:
        offer_corrections(session, finder, problems, scheme, now)


def saved_text(
    text: str, drafts: Sequence[ProblemDraft], problems: Sequence[Problem], scheme: str
) -> str:
    """The engine's "已保存" reply with each problem line naming its ledger number and
    category (in ``scheme``), plus how to correct a wrong category.

    The engine renders the lines with :func:`bot.dialogs.render.problem_lines`; the
    same function finds them here. ``problems`` are in draft order (blank drafts are
    not filed, so the lines are matched by text).
    """
    if not problems:
        return text
    filed = list(problems)
    for line, draft in zip(render.problem_lines(drafts), drafts, strict=True):
        match = next((p for p in filed if p.text == draft.text.strip()), None)
        if match is None:
            continue
        filed.remove(match)
        category = match.category if scheme == "changzhou" else match.category_alt
        text = text.replace(
            line, P.SAVED_PROBLEM.format(line=line, id=match.id, category=category), 1
        )
    lines = text.split("\n")
    # The hint goes before the engine's last line (回复「走访」继续下一户).
    lines.insert(max(len(lines) - 1, 0), P.SAVED_PROBLEM_HINT)
    return "\n".join(lines)
