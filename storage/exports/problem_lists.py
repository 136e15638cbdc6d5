"""Problem lists, one row per ledger entry in scope raised in the period.

- seed 004 附件6 问题清单 (``problems``): sorted by the three responsibility classes,
  then the seed-004 categories (居住环境 … 其他);
- seed 002 附件2/3 矛盾纠纷 / 意见建议事项办理表 (``disputes`` / ``suggestions``).

Problem texts pass through ``req.redact`` (phone numbers masked: none of these
forms has a phone column).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from datetime import datetime
from operator import attrgetter
from typing import Any, Protocol, TypeVar, cast

from sqlalchemy import Select
from sqlalchemy.orm import Session

from storage.exports import labels
from storage.exports.base import ExportRequest, LazyRows, Row, Sheet
from storage.exports.lists import list_sheet
from storage.exports.lookup import ID_CHUNK, cadre_names, head_names, unit_names
from storage.exports.scope import scoped_problems
from storage.facts import EVERYTHING, ProblemState, problem_states
from storage.models import Problem
from storage.vocab import CATEGORIES_CHAIHUDIAN, PROBLEM_STATUS, RESPONSIBILITY

T = TypeVar("T")


class ListedProblem(Protocol):
    """The columns of a problem the tables print (a row, not an ORM object: a county's
    170 000 problems load as plain rows, without identity map or instance state)."""

    @property
    def id(self) -> int: ...
    @property
    def target_id(self) -> int: ...
    @property
    def found_by_id(self) -> int: ...
    @property
    def unit_id(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def category_alt(self) -> str: ...
    @property
    def responsibility(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def assignee_unit_id(self) -> int | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def deadline(self) -> datetime | None: ...
    @property
    def closed_at(self) -> datetime | None: ...
    @property
    def closing_note(self) -> str: ...
    @property
    def followed_up_at(self) -> datetime | None: ...
    @property
    def satisfaction(self) -> str | None: ...


PROBLEM_COLUMNS = (
    Problem.id,
    Problem.target_id,
    Problem.found_by_id,
    Problem.unit_id,
    Problem.text,
    Problem.kind,
    Problem.category,
    Problem.category_alt,
    Problem.responsibility,
    Problem.status,
    Problem.assignee_unit_id,
    Problem.created_at,
    Problem.deadline,
    Problem.closed_at,
    Problem.closing_note,
    Problem.followed_up_at,
    Problem.satisfaction,
)


ROW_BATCH = 5000


def problem_rows(
    session: Session, query: Select[Any], req: ExportRequest, kinds: Collection[str] | None
) -> list[ListedProblem]:
    """The rows of ``query`` (a SELECT of problems) raised in the request's period, of
    ``kinds`` (all when None), in the query's order: only the printed columns."""
    rows = query.with_only_columns(*PROBLEM_COLUMNS, maintain_column_froms=True)
    if req.since is not None:
        rows = rows.where(Problem.created_at >= req.since)
    if req.until is not None:
        rows = rows.where(Problem.created_at < req.until)
    if kinds is not None:
        rows = rows.where(Problem.kind.in_(sorted(kinds)))
    # Fetched a batch at a time (PostgreSQL: a server-side cursor), so the driver never
    # holds a county's whole result next to its rows. A Row answers to the column
    # names, which is all ListedProblem asks.
    found = session.execute(rows.execution_options(yield_per=ROW_BATCH)).all()
    return cast(list[ListedProblem], found)


def problems_in_period(
    session: Session, req: ExportRequest, kinds: Collection[str] | None = None
) -> list[ListedProblem]:
    """Problems the scope may see, raised in the period, of ``kinds`` (all when None)."""
    return problem_rows(session, scoped_problems(session, req.scope), req, kinds)


def problem_ids_in_period(session: Session, req: ExportRequest) -> list[int]:
    """Ids of the problems :func:`problems_in_period` gives (for tables that only count)."""
    query = scoped_problems(session, req.scope).with_only_columns(
        Problem.id, maintain_column_froms=True
    )
    if req.since is not None:
        query = query.where(Problem.created_at >= req.since)
    if req.until is not None:
        query = query.where(Problem.created_at < req.until)
    return list(session.scalars(query))


def problem_states_of(
    session: Session, req: ExportRequest, problems: Collection[ListedProblem] | list[int]
) -> list[ProblemState]:
    """The states of ``problems`` (rows or ids) as of the period's end, from their history."""
    return [s for chunk in _state_chunks(session, req, problems) for s in chunk]


def _state_chunks(
    session: Session, req: ExportRequest, problems: Collection[ListedProblem] | list[int]
) -> Iterator[list[ProblemState]]:
    ids = sorted(p if isinstance(p, int) else p.id for p in problems)
    for start in range(0, len(ids), ID_CHUNK):  # a county's ids exceed 65 535 parameters
        yield problem_states(
            session,
            EVERYTHING,
            req.period(),
            now=req.as_of(),
            assign_within_days=None,
            only=ids[start : start + ID_CHUNK],
        )


def states_by_id(
    session: Session,
    req: ExportRequest,
    problems: Collection[ListedProblem],
    pick: Callable[[ProblemState], T],
) -> dict[int, T]:
    """``pick(state)`` per problem id, states as of the period's end, a chunk at a time
    (a county's 170 000 whole states are never held at once)."""
    return {s.id: pick(s) for chunk in _state_chunks(session, req, problems) for s in chunk}


def status_as_of(
    session: Session, req: ExportRequest, problems: list[ListedProblem]
) -> dict[int, str]:
    """办理状态 per problem id: its workflow status as of the period's end."""
    return states_by_id(session, req, problems, attrgetter("status"))


def handling(p: ListedProblem, status: str | None = None) -> str:
    """办理意见: responsibility, status (as of the period's end), the closing note."""
    status = status or p.status
    parts = [RESPONSIBILITY.get(p.responsibility, p.responsibility), PROBLEM_STATUS[status]]
    if p.closing_note:
        parts.append(p.closing_note)
    return "；".join(parts)


class _Names:
    """Unit, cadre and household names for one list of problems."""

    def __init__(self, session: Session, problems: list[ListedProblem]) -> None:
        self.units = unit_names(session)
        self.cadres = cadre_names(session)
        self.heads = head_names(session, {p.target_id for p in problems})

    def lead(self, n: int, p: ListedProblem, req: ExportRequest) -> Row:
        """序号, village, household, the problem text (phones masked)."""
        return (n, self.units[p.unit_id], self.heads[p.target_id], req.redact(p.text))


_RESP_ORDER = {key: i for i, key in enumerate(RESPONSIBILITY)}
_CAT_ORDER = {c: i for i, c in enumerate(CATEGORIES_CHAIHUDIAN)}


def build_problem_list(session: Session, req: ExportRequest) -> Sheet:
    """Seed 004 附件6: three classes × seven categories, then village and id."""
    problems = problems_in_period(session, req)
    names = _Names(session, problems)
    status = status_as_of(session, req, problems)
    problems.sort(
        key=lambda p: (
            _RESP_ORDER.get(p.responsibility, 99),
            _CAT_ORDER.get(p.category_alt, 99),
            names.units[p.unit_id],
            p.id,
        )
    )

    def row(n: int, p: ListedProblem) -> Row:
        return names.lead(n, p, req) + (
            p.category_alt,
            RESPONSIBILITY.get(p.responsibility, p.responsibility),
            PROBLEM_STATUS[status.get(p.id, p.status)],
            names.cadres.get(p.found_by_id, ""),
            req.day(p.created_at),
        )

    rows = LazyRows(problems, row)
    widths = (6, 14, 10, 50, 10, 16, 10, 10, 12)
    return list_sheet(req, labels.PROBLEM_LIST_TITLE, labels.PROBLEM_LIST_HEADER, widths, rows, {8})


def _follow_up(p: ListedProblem) -> str:
    return "；".join(x for x in ("已回访" if p.followed_up_at else "", p.satisfaction or "") if x)


def _handling_table(
    session: Session, req: ExportRequest, title: str, kinds: tuple[str, ...]
) -> Sheet:
    problems = problems_in_period(session, req, kinds)
    names = _Names(session, problems)
    status = status_as_of(session, req, problems)

    def row(n: int, p: ListedProblem) -> Row:
        return names.lead(n, p, req) + (
            p.kind,
            names.cadres.get(p.found_by_id, ""),
            req.day(p.created_at),
            names.units.get(p.assignee_unit_id or 0, ""),
            req.day(p.deadline),
            handling(p, status.get(p.id)),
            req.day(p.closed_at),
            _follow_up(p),
        )

    rows = LazyRows(problems, row)
    widths = (6, 14, 10, 44, 10, 10, 12, 14, 12, 30, 12, 12)
    return list_sheet(req, title, labels.HANDLING_HEADER, widths, rows, {6, 8, 10})


def build_disputes(session: Session, req: ExportRequest) -> Sheet:
    """Seed 002 附件2: 矛盾纠纷 and 信访诉求."""
    return _handling_table(session, req, labels.DISPUTES_TITLE, labels.DISPUTE_KINDS)


def build_suggestions(session: Session, req: ExportRequest) -> Sheet:
    """Seed 002 附件3: 意见建议 and 政策咨询."""
    return _handling_table(session, req, labels.SUGGESTIONS_TITLE, labels.SUGGESTION_KINDS)
