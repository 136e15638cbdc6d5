"""Problems past a deadline, for the escalation job: overdue, never assigned, not followed up.

Rows come as plain tuples, streamed (``yield_per``) or a page of cadres at a time,
so the job's memory does not grow with the county.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, exists, func, literal, select
from sqlalchemy.orm import Session

from storage.facts.scores import CLOSED
from storage.models import Cadre, JobRun, Problem

SOLVED_WITHOUT_FOLLOWUP = ("solved", "explained")
STREAM_ROWS = 2000
# (problem id, category, text, unit id, the moment its deadline is counted from)
Overdue = tuple[int, str, str, int, datetime]


def cast_rows(rows: Iterable[Any]) -> Iterator[Overdue]:
    """Rows typed as :data:`Overdue` (the SELECTs below give exactly these columns)."""
    for row in rows:
        yield (row[0], row[1], row[2], row[3], row[4])


def past_deadline(session: Session, now: datetime) -> Iterator[Overdue]:
    """(id, category, text, responsible unit id, deadline) of every problem whose
    deadline passed before ``now`` and that is not closed, by id. The responsible unit
    is the assignee unit, else the problem's own."""
    query = (
        select(
            Problem.id,
            Problem.category,
            Problem.text,
            func.coalesce(Problem.assignee_unit_id, Problem.unit_id),
            Problem.deadline,
        )
        .where(
            Problem.deadline.is_not(None),
            Problem.deadline < now,
            Problem.status.not_in(CLOSED),
        )
        .order_by(Problem.id)
    )
    yield from cast_rows(session.execute(query.execution_options(yield_per=STREAM_ROWS)))


def never_assigned(session: Session, registered_before: datetime) -> Iterator[Overdue]:
    """(id, category, text, own unit id, created at) of problems still 登记
    (``registered``) that were created before ``registered_before``, by id."""
    query = (
        select(Problem.id, Problem.category, Problem.text, Problem.unit_id, Problem.created_at)
        .where(Problem.status == "registered", Problem.created_at < registered_before)
        .order_by(Problem.id)
    )
    yield from cast_rows(session.execute(query.execution_options(yield_per=STREAM_ROWS)))


def _followup_condition(closed_before: datetime, key_prefix: str | None) -> list[Any]:
    """Solved or explained, closed at or before ``closed_before``, not followed up, and
    (unless ``key_prefix`` is None) no run key ``<key_prefix><problem id>`` yet."""
    conditions: list[Any] = [
        Problem.status.in_(SOLVED_WITHOUT_FOLLOWUP),
        Problem.closed_at.is_not(None),
        Problem.closed_at <= closed_before,
        Problem.followed_up_at.is_(None),
    ]
    if key_prefix is not None:
        key = literal(key_prefix, String) + cast(Problem.id, String)
        conditions.append(~exists().where(JobRun.run_key == key))
    return conditions


def followup_cadres(
    session: Session, closed_before: datetime, key_prefix: str | None, after: int, limit: int
) -> list[int]:
    """The next ``limit`` ids (above ``after``) of cadres who found a problem due for
    回访 that has not been reminded (see :func:`followup_due`)."""
    query = (
        select(Problem.found_by_id)
        .where(*_followup_condition(closed_before, key_prefix), Problem.found_by_id > after)
        .group_by(Problem.found_by_id)
        .order_by(Problem.found_by_id)
        .limit(limit)
    )
    return list(session.scalars(query))


def followup_due(
    session: Session, closed_before: datetime, key_prefix: str | None, cadre_ids: Sequence[int]
) -> list[tuple[int, str, datetime, Cadre]]:
    """(problem id, text, closed at, finder) of the problems found by ``cadre_ids`` that
    are solved or explained, closed at or before ``closed_before``, not followed up and
    not yet reminded (no run key ``<key_prefix><id>``), by cadre and problem id."""
    if not cadre_ids:
        return []
    rows = session.execute(
        select(Problem.id, Problem.text, Problem.closed_at, Cadre)
        .join(Cadre, Cadre.id == Problem.found_by_id)
        .where(
            *_followup_condition(closed_before, key_prefix),
            Problem.found_by_id.in_(sorted(cadre_ids)),
        )
        .order_by(Problem.found_by_id, Problem.id)
    ).all()
    return [(pid, text, closed, cadre) for pid, text, closed, cadre in rows]  # type: ignore[misc]
