"""The problem ledger's repository: query problems, record transitions.

New problems are registered by :mod:`storage.problem_intake` (re-exported here:
``create_problem``, ``create_from_visit``, ``RaisedItem``).

Never commits: the caller owns the unit of work. The workflow's rules live in
``bot.ledger.workflow`` (this inner layer does not import the application); this
module stores what the workflow decided and guards against two writers at once with
the ``version`` column: a stale write raises :class:`ProblemConflict` naming the
change that won.

Scopes (who sees what): a visiting cadre sees the problems of targets assigned to
them, the problems they found, and those assigned to their own unit to handle
(an office clerk must read what they are asked to do); a leader or admin sees the
problems of their unit's subtree and those assigned to a unit of that subtree. :func:`visible_query` is the
one place that rule is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, any_, func, or_, select, union
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from storage.db import among
from storage.models import Assignment, Cadre, Problem, ProblemEvent
from storage.problem_intake import ClassificationLike as ClassificationLike
from storage.problem_intake import RaisedItem as RaisedItem
from storage.problem_intake import Verdict as Verdict
from storage.problem_intake import create_from_visit as create_from_visit
from storage.problem_intake import create_problem as create_problem
from storage.problem_intake import verdict_for as verdict_for
from storage.units import subtree_ids
from storage.vocab import PROBLEM_STATUS

LEADER_ROLES = ("leader", "admin")
# Problem ids are 32-bit integers; a larger number typed in chat names no problem
# (asking the database would overflow: SQLite's int64, PostgreSQL's int4).
MAX_PROBLEM_ID = 2**31 - 1
OPEN_STATUSES = ("registered", "assigned", "in_progress", "solved", "explained")


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
        return query.where(
            or_(
                among(session, Problem.unit_id, scope),
                among(session, Problem.assignee_unit_id, scope),
            )
        )
    # A union of three indexed lookups, not an OR: PostgreSQL ran the OR as one scan of
    # every problem (150 ms for a cadre's 问题 at 100 000 households). On PostgreSQL the
    # ids go in as one array (an InitPlan): with ``IN`` its planner walked the primary key
    # in order to find the first 20 of a cadre's scattered problems (30 ms); with
    # ``= ANY(ARRAY(…))`` it looks each one up (under 1 ms).
    mine = union(
        select(Problem.id)
        .join(Assignment, Assignment.target_id == Problem.target_id)
        .where(Assignment.cadre_id == viewer.id),
        select(Problem.id).where(Problem.found_by_id == viewer.id),
        select(Problem.id).where(Problem.assignee_unit_id == viewer.unit_id),
    )
    if session.get_bind().dialect.name == "postgresql":
        return query.where(Problem.id == any_(func.array(mine.scalar_subquery())))
    return query.where(Problem.id.in_(mine))


def shown_whole(session: Session, viewer: Cadre, problems: Sequence[Problem]) -> set[int]:
    """Ids of ``problems`` whose phone and ID numbers ``viewer`` may read whole.

    The rule (docs/privacy.md): the household's assigned cadre (and the cadre who
    wrote the problem down) and the leaders over the problem's unit or its assignee
    unit; everyone else reads them masked (storage.masking.mask_numbers).
    """
    if not problems:
        return set()
    if viewer.role in LEADER_ROLES:
        scope = viewer_scope(session, viewer)
        return {p.id for p in problems if p.unit_id in scope or p.assignee_unit_id in scope}
    own = set(
        session.scalars(
            select(Assignment.target_id).where(
                Assignment.cadre_id == viewer.id,
                Assignment.target_id.in_({p.target_id for p in problems}),
            )
        )
    )
    return {p.id for p in problems if p.target_id in own or p.found_by_id == viewer.id}


def get_visible(session: Session, viewer: Cadre, problem_id: int) -> Problem | None:
    """The problem if it exists and ``viewer`` may see it, else None (same answer for both)."""
    if not 0 < problem_id <= MAX_PROBLEM_ID:
        return None
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
    after_id: int = 0,
    responsibility: str | None = None,
) -> list[Problem]:
    """Problems ``viewer`` may see, oldest first, filtered.

    ``category`` matches either scheme; ``unit_ids`` limits to those units;
    ``overdue`` is ``bot.ledger.clocks.overdue_thresholds(now, cfg)`` to keep only
    overdue ones (computed from now, never stored); ``after_id`` starts after that
    problem number (the next page of a list); ``responsibility`` keeps one 责任分类.
    """
    query = _filtered(session, viewer, statuses, category, unit_ids, overdue, responsibility)
    query = query.where(Problem.id > after_id)
    return list(session.scalars(query.order_by(Problem.id).limit(limit)))


def count_visible(
    session: Session,
    viewer: Cadre,
    *,
    statuses: Sequence[str] = OPEN_STATUSES,
    category: str | None = None,
    unit_ids: set[int] | None = None,
    overdue: Mapping[str, datetime] | None = None,
    responsibility: str | None = None,
) -> int:
    """How many problems :func:`list_visible` would list with no limit."""
    query = _filtered(session, viewer, statuses, category, unit_ids, overdue, responsibility)
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def count_visible_by_status(
    session: Session, viewer: Cadre, statuses: Sequence[str]
) -> dict[str, int]:
    """:func:`count_visible` for each of ``statuses`` at once (one query; 0 when none)."""
    query = _filtered(session, viewer, statuses, None, None, None).subquery()
    counts = dict.fromkeys(statuses, 0)
    for status, n in session.execute(select(query.c.status, func.count()).group_by(query.c.status)):
        counts[status] = int(n)
    return counts


def _filtered(
    session: Session,
    viewer: Cadre,
    statuses: Sequence[str],
    category: str | None,
    unit_ids: set[int] | None,
    overdue: Mapping[str, datetime] | None,
    responsibility: str | None = None,
) -> Select[Any]:
    query = visible_query(session, viewer).where(Problem.status.in_(list(statuses)))
    if responsibility:
        query = query.where(Problem.responsibility == responsibility)
    if category:
        query = query.where(or_(Problem.category == category, Problem.category_alt == category))
    if unit_ids is not None:
        query = query.where(Problem.unit_id.in_(unit_ids))
    if overdue is not None:
        query = query.where(overdue_clause(overdue))
    return query


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


def history_with_actors(session: Session, problem_id: int) -> list[tuple[ProblemEvent, str]]:
    """The problem's events in order, each with its actor's name ("" for none)."""
    rows = session.execute(
        select(ProblemEvent, Cadre.name)
        .outerjoin(Cadre, Cadre.id == ProblemEvent.actor_id)
        .where(ProblemEvent.problem_id == problem_id)
        .order_by(ProblemEvent.id)
    )
    return [(event, name or "") for event, name in rows]


def finder_of(session: Session, problem: Problem) -> Cadre | None:
    """The cadre who found ``problem`` in a visit (None if the row is gone)."""
    return session.get(Cadre, problem.found_by_id)


def unit_members(session: Session, unit_ids: set[int]) -> list[Cadre]:
    """Active cadres of these units (to tell an assignee unit's people)."""
    return list(
        session.scalars(
            select(Cadre)
            .where(Cadre.unit_id.in_(unit_ids), Cadre.active.is_(True))
            .order_by(Cadre.id)
        )
    )
