"""The problem ledger's repository: add and query problems, record transitions.

Never commits: the caller owns the unit of work. The workflow's rules live in
``bot.ledger.workflow`` (this inner layer does not import the application); this
module stores what the workflow decided and guards against two writers at once with
the ``version`` column: a stale write raises :class:`ProblemConflict` naming the
change that won.

Scopes (who sees what): a visiting cadre sees the problems of targets assigned to
them, the problems they found, and those assigned to their own unit to handle
(an office clerk must read what they are asked to do); a leader or admin sees the problems of their unit's
subtree and those assigned to a unit of that subtree. :func:`visible_query` is the
one place that rule is written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from storage.models import Assignment, Cadre, Problem, ProblemEvent, Target, Visit
from storage.units import subtree_ids
from storage.vocab import PROBLEM_KINDS, PROBLEM_STATUS, RESPONSIBILITY

LEADER_ROLES = ("leader", "admin")
OPEN_STATUSES = ("registered", "assigned", "in_progress", "solved", "explained")


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


@dataclass(frozen=True)
class ChangeInfo:
    """The latest recorded change of a problem (for the loser of a race)."""

    problem_id: int
    status: str
    action: str
    actor_name: str
    at: datetime | None


class ProblemConflict(Exception):
    """Someone else changed the problem first; ``latest`` says what they did."""

    def __init__(self, latest: ChangeInfo) -> None:
        super().__init__(f"problem {latest.problem_id} changed concurrently ({latest.action})")
        self.latest = latest


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
) -> Problem:
    """Register one problem (status 登记) and its first history event; returns it flushed.

    ``unit_id`` defaults to the target's unit (the 村/社区 the household belongs to);
    ``kind`` overrides the classifier's kind (a template rule knows better);
    ``responsibility`` is town / linked / city (镇村 / 联动 / 市直).
    """
    if responsibility not in RESPONSIBILITY:
        raise ValueError(f"unknown responsibility {responsibility!r}")
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
    session.flush()
    return problem


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
        )
        for item in items
        if item.text.strip()
    ]


def apply_transition(
    session: Session,
    problem: Problem,
    *,
    action: str,
    to_status: str,
    changes: Mapping[str, Any],
    note: str,
    actor_id: int | None,
    now: datetime,
) -> ProblemEvent:
    """Store a checked transition and its event; raise ProblemConflict if it lost a race.

    ``problem`` is the row the decision was made on; its ``version`` is what the
    update is conditioned on. The write runs in a savepoint so that after a conflict
    the caller's transaction is still usable (to read and report the winner).
    """
    if to_status not in PROBLEM_STATUS:
        raise ValueError(f"unknown status {to_status!r}")
    from_status = problem.status
    problem_id = problem.id
    try:
        with session.begin_nested():
            problem.status = to_status
            for column, value in changes.items():
                if not hasattr(Problem, column):
                    raise ValueError(f"Problem has no column {column!r}")
                setattr(problem, column, value)
            event = ProblemEvent(
                problem_id=problem_id,
                actor_id=actor_id,
                action=action,
                from_status=from_status,
                to_status=to_status,
                note=note,
                at=now,
            )
            session.add(event)
            session.flush()
    except StaleDataError:
        raise ProblemConflict(latest_change(session, problem_id)) from None
    return event


def latest_change(session: Session, problem_id: int) -> ChangeInfo:
    """The current status and the newest event of a problem, read fresh."""
    status = session.scalar(
        select(Problem.status)
        .where(Problem.id == problem_id)
        .execution_options(populate_existing=True)
    )
    row = session.execute(
        select(ProblemEvent.action, ProblemEvent.at, Cadre.name)
        .outerjoin(Cadre, Cadre.id == ProblemEvent.actor_id)
        .where(ProblemEvent.problem_id == problem_id)
        .order_by(ProblemEvent.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return ChangeInfo(problem_id, status or "", "", "", None)
    return ChangeInfo(problem_id, status or "", row.action, row.name or "", row.at)


def viewer_scope(session: Session, viewer: Cadre) -> set[int]:
    """Unit ids a leader/admin oversees (their subtree); empty for a visiting cadre."""
    if viewer.role in LEADER_ROLES:
        return subtree_ids(session, viewer.unit_id)
    return set()


def visible_query(session: Session, viewer: Cadre) -> Select[Any]:
    """SELECT of the problems ``viewer`` may see (the access rule, in one place)."""
    query = select(Problem)
    if viewer.role in LEADER_ROLES:
        scope = viewer_scope(session, viewer)
        return query.where(or_(Problem.unit_id.in_(scope), Problem.assignee_unit_id.in_(scope)))
    assigned = select(Assignment.target_id).where(Assignment.cadre_id == viewer.id)
    return query.where(
        or_(
            Problem.target_id.in_(assigned),
            Problem.found_by_id == viewer.id,
            Problem.assignee_unit_id == viewer.unit_id,
        )
    )


def get_visible(session: Session, viewer: Cadre, problem_id: int) -> Problem | None:
    """The problem if it exists and ``viewer`` may see it, else None (same answer for both)."""
    found: Problem | None = session.scalar(
        visible_query(session, viewer).where(Problem.id == problem_id)
    )
    return found


def list_visible(
    session: Session,
    viewer: Cadre,
    *,
    statuses: Sequence[str] = OPEN_STATUSES,
    category: str | None = None,
    unit_ids: set[int] | None = None,
    overdue: Mapping[str, datetime] | None = None,
    limit: int = 50,
) -> list[Problem]:
    """Problems ``viewer`` may see, oldest first, filtered.

    ``category`` matches either scheme; ``unit_ids`` limits to those units;
    ``overdue`` is ``bot.ledger.clocks.overdue_thresholds(now, cfg)`` to keep only
    overdue ones (computed from now, never stored).
    """
    query = visible_query(session, viewer).where(Problem.status.in_(list(statuses)))
    if category:
        query = query.where(or_(Problem.category == category, Problem.category_alt == category))
    if unit_ids is not None:
        query = query.where(Problem.unit_id.in_(unit_ids))
    if overdue is not None:
        query = query.where(overdue_clause(overdue))
    return list(session.scalars(query.order_by(Problem.id).limit(limit)))


def list_all(
    session: Session,
    *,
    statuses: Sequence[str] = tuple(PROBLEM_STATUS),
    unit_ids: set[int] | None = None,
    overdue: Mapping[str, datetime] | None = None,
) -> list[Problem]:
    """Every problem (administrators' CLI only), filtered like :func:`list_visible`."""
    query = select(Problem).where(Problem.status.in_(list(statuses)))
    if unit_ids is not None:
        query = query.where(Problem.unit_id.in_(unit_ids))
    if overdue is not None:
        query = query.where(overdue_clause(overdue))
    return list(session.scalars(query.order_by(Problem.id)))


def overdue_clause(thresholds: Mapping[str, datetime]) -> Any:
    """SQL condition: the problem's running clock is past due (see clocks.overdue_thresholds)."""
    reference = {
        "registered": Problem.created_at,
        "assigned": Problem.deadline,
        "in_progress": Problem.deadline,
        "solved": Problem.closed_at,
        "explained": Problem.closed_at,
    }
    return or_(
        *(
            and_(Problem.status == status, reference[status] < when)
            for status, when in thresholds.items()
            if status in reference
        )
    )


def history(session: Session, problem_id: int) -> list[ProblemEvent]:
    return list(
        session.scalars(
            select(ProblemEvent)
            .where(ProblemEvent.problem_id == problem_id)
            .order_by(ProblemEvent.id)
        )
    )


def unit_members(session: Session, unit_ids: set[int]) -> list[Cadre]:
    """Active cadres of these units (to tell an assignee unit's people)."""
    return list(
        session.scalars(
            select(Cadre)
            .where(Cadre.unit_id.in_(unit_ids), Cadre.active.is_(True))
            .order_by(Cadre.id)
        )
    )
