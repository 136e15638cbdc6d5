"""Registering problems: one problem from a text and its classification, or all the
problems a saved visit raised. The one code path for new problems (the visit dialog,
the ledger's tests and any import call these). Adds and flushes, never commits.

A template rule may fix a problem's kind and categories; what it leaves open the
classifier (``bot.ledger.classify.classify``, passed in: this inner layer does not
import the application) fills in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Problem, ProblemEvent, Target, Visit
from storage.vocab import PROBLEM_KINDS, RESPONSIBILITY


class ClassificationLike(Protocol):
    """What :func:`create_problem` needs from ``bot.ledger.classify.Classification``."""

    @property
    def category(self) -> str: ...
    @property
    def category_alt(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def confidence(self) -> float: ...
    @property
    def needs_review(self) -> bool: ...


@dataclass(frozen=True)
class RaisedItem:
    """One problem a visit raised: the text and the question it answered.

    A template rule may fix the kind and the categories (seed 003 ``category``,
    seed 004 ``category_alt``); what it leaves empty the classifier fills in.
    """

    text: str
    source_question: str = ""
    kind: str | None = None  # a template rule's kind (e.g. 安全隐患) overrides the guess
    category: str = ""
    category_alt: str = ""
    handling: str = "registered"  # registered 登记带回 / solved 当场解决 / explained 当场解释


# How the door handled a problem -> (the on-the-spot action, its status, closing note).
# 登记带回 is no transition: the problem stays registered and its 交办 clock runs.
ON_THE_SPOT = {
    "solved": ("solve_on_spot", "solved", "走访时当场解决"),
    "explained": ("explain_on_spot", "explained", "走访时当场解释"),
}
HANDLINGS = ("registered", *ON_THE_SPOT)


@dataclass(frozen=True)
class Verdict:
    """A classification as stored: the template's categories merged with the guess."""

    category: str
    category_alt: str
    kind: str
    confidence: float
    needs_review: bool


def verdict_for(item: RaisedItem, classify: Callable[[str], ClassificationLike]) -> Verdict:
    """The template's own categories win; the classifier is asked only for what is missing."""
    if item.category and item.category_alt:
        return Verdict(item.category, item.category_alt, item.kind or "困难需求", 1.0, False)
    guess = classify(item.text)
    return Verdict(
        item.category or guess.category,
        item.category_alt or guess.category_alt,
        guess.kind,
        guess.confidence,
        guess.needs_review,
    )


def create_problem(
    session: Session,
    *,
    target_id: int,
    found_by_id: int,
    text: str,
    classification: ClassificationLike,
    now: datetime,
    unit_id: int | None = None,
    visit_id: int | None = None,
    source_question: str = "",
    kind: str | None = None,
    responsibility: str = "town",
    handling: str = "registered",
) -> Problem:
    """Register one problem (status 登记) and its first history event; returns it flushed.

    ``unit_id`` defaults to the target's unit (the 村/社区 the household belongs to);
    ``kind`` overrides the classifier's kind (a template rule knows better);
    ``responsibility`` is town / linked / city (镇村 / 联动 / 市直);
    ``handling`` solved / explained closes it at ``now`` with a second event
    (当场解决 → 已解决, 当场解释 → 已解释: closed, not solved); registered leaves it 登记.
    """
    if responsibility not in RESPONSIBILITY:
        raise ValueError(f"unknown responsibility {responsibility!r}")
    if handling not in HANDLINGS:
        raise ValueError(f"unknown handling {handling!r}")
    chosen_kind = kind or classification.kind
    if chosen_kind not in PROBLEM_KINDS:
        raise ValueError(f"unknown problem kind {chosen_kind!r}")
    if unit_id is None:
        unit_id = session.scalar(select(Target.unit_id).where(Target.id == target_id))
        if unit_id is None:
            raise ValueError(f"no target {target_id}")
    problem = Problem(
        visit_id=visit_id,
        target_id=target_id,
        found_by_id=found_by_id,
        unit_id=unit_id,
        text=text.strip(),
        source_question=source_question[:64],
        kind=chosen_kind,
        category=classification.category,
        category_alt=classification.category_alt,
        confidence=classification.confidence,
        needs_review=classification.needs_review,
        responsibility=responsibility,
        status="registered",
        created_at=now,
    )
    session.add(problem)
    session.flush()
    session.add(
        ProblemEvent(
            problem_id=problem.id,
            actor_id=found_by_id,
            action="register",
            from_status="",
            to_status="registered",
            note="",
            at=now,
        )
    )
    handle_at_the_door(session, problem, handling, now)
    session.flush()
    return problem


def handle_at_the_door(session: Session, problem: Problem, handling: str, now: datetime) -> None:
    """A registered problem handled on the spot (solved / explained) is closed at ``now``
    by its finder, with its event; 登记带回 (or a problem past 登记) changes nothing."""
    if handling not in ON_THE_SPOT or problem.status != "registered":
        return
    action, status, note = ON_THE_SPOT[handling]
    problem.status = status
    problem.closed_at = now
    problem.closing_note = note
    session.add(
        ProblemEvent(
            problem_id=problem.id,
            actor_id=problem.found_by_id,
            action=action,
            from_status="registered",
            to_status=status,
            note=note,
            at=now,
        )
    )


def create_from_visit(
    session: Session,
    visit: Visit,
    items: Sequence[RaisedItem],
    classify: Callable[[str], ClassificationLike],
    now: datetime,
) -> list[Problem]:
    """One problem per raised item of a saved visit, classified by ``classify`` where the
    template did not fix the categories (see :func:`verdict_for`)."""
    return [
        create_problem(
            session,
            target_id=visit.target_id,
            found_by_id=visit.cadre_id,
            text=item.text,
            classification=verdict_for(item, classify),
            now=now,
            visit_id=visit.id,
            source_question=item.source_question,
            kind=item.kind,
            handling=item.handling,
        )
        for item in items
        if item.text.strip()
    ]
