"""Problem figures from history (docs/facts.md, "Figures": 问题数 … 解决问题数).

A problem's state as of a moment is the ``to_status`` of its latest
:class:`~storage.models.ProblemEvent` before it (登记 when it has none), never
today's ``status`` column. States fall in three buckets that are never merged:
待解决 (登记 / 交办 / 办理中), 已解决, 已解释 (a 回访 keeps the bucket it closed in).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.facts.scope import FactScope, Period
from storage.models import Cadre, Problem, ProblemEvent, Target
from storage.vocab import CATEGORIES_CHANGZHOU

PENDING, SOLVED, EXPLAINED = "pending", "solved", "explained"
BUCKET_LABELS = {PENDING: "待解决", SOLVED: "已解决", EXPLAINED: "已解释"}
HARDSHIP_KIND = "困难需求"


@dataclass(frozen=True)
class ProblemState:
    """One problem as of a moment: what it is, where, and which bucket it is in."""

    id: int
    kind: str
    category: str
    category_alt: str
    responsibility: str
    target_unit_id: int
    finder_unit_id: int
    created_at: datetime
    status: str  # the workflow status as of the moment
    bucket: str  # PENDING / SOLVED / EXPLAINED
    overdue: bool
    solved_in_period: bool  # became 已解决 within the period
    explained_in_period: bool  # became 已解释 within the period


def _bucket(status: str, previous: str) -> str:
    if status == "solved":
        return SOLVED
    if status == "explained":
        return EXPLAINED
    if status == "followed_up":
        return previous if previous != PENDING else SOLVED
    return PENDING


def _reconstructed(
    status: str,
    created_at: datetime,
    assigned_at: datetime | None,
    closed_at: datetime | None,
    as_of: datetime,
) -> list[tuple[str, datetime]]:
    """The history of a problem stored without events (imported or older rows), from
    its timestamps: registered at creation, assigned at ``assigned_at``, and its current
    status at ``closed_at`` (or, for an open one, now)."""
    steps = [("registered", created_at)]
    if assigned_at is not None and status != "registered":
        steps.append(("assigned", assigned_at))
    if status not in ("registered", "assigned"):
        steps.append((status, closed_at or assigned_at or created_at))
    return [(s, at) for s, at in steps if at < as_of]


@dataclass(frozen=True)
class ProblemRow:
    """The columns of a problem its state is computed from (plus where it belongs)."""

    id: int
    kind: str
    category: str
    category_alt: str
    responsibility: str
    target_unit_id: int
    finder_unit_id: int
    created_at: datetime
    status: str  # today's status column (only for a problem stored without events)
    assigned_at: datetime | None
    closed_at: datetime | None
    deadline: datetime | None


def problem_row(raw: Any) -> ProblemRow:
    """A :class:`ProblemRow` from a result row whose first columns are PROBLEM_COLUMNS."""
    return ProblemRow(*raw[: len(PROBLEM_COLUMNS)])


PROBLEM_COLUMNS = (
    Problem.id,
    Problem.kind,
    Problem.category,
    Problem.category_alt,
    Problem.responsibility,
    Target.unit_id,
    Cadre.unit_id,
    Problem.created_at,
    Problem.status,
    Problem.assigned_at,
    Problem.closed_at,
    Problem.deadline,
)


def state_of(
    row: ProblemRow,
    events: Sequence[tuple[str, datetime]],
    period: Period,
    as_of: datetime,
    window: timedelta | None,
) -> ProblemState:
    """One problem's state as of ``as_of`` from its events before then (ordered by time,
    then id), or from its timestamps when it has none: the definition of every figure
    :func:`problem_states` gives (逾期 with ``window`` = the 交办 time limit, None: never)."""
    status, bucket, solved_now, explained_now = "registered", PENDING, False, False
    history = events or _reconstructed(
        row.status, row.created_at, row.assigned_at, row.closed_at, as_of
    )
    for to_status, at in history:
        if not to_status:
            continue
        status, bucket = to_status, _bucket(to_status, bucket)
        solved_now |= to_status == "solved" and period.contains(at)
        explained_now |= to_status == "explained" and period.contains(at)
    overdue = bucket == PENDING and (
        (status == "registered" and window is not None and row.created_at + window < as_of)
        or (
            status in ("assigned", "in_progress")
            and row.deadline is not None
            and row.deadline < as_of
        )
    )
    return ProblemState(
        id=row.id,
        kind=row.kind,
        category=row.category,
        category_alt=row.category_alt,
        responsibility=row.responsibility,
        target_unit_id=row.target_unit_id,
        finder_unit_id=row.finder_unit_id,
        created_at=row.created_at,
        status=status,
        bucket=bucket,
        overdue=overdue,
        solved_in_period=solved_now,
        explained_in_period=explained_now,
    )


def problem_states(
    session: Session,
    scope: FactScope,
    period: Period,
    *,
    now: datetime,
    assign_within_days: int | None,
    campaign_id: int = 0,
    only: Collection[int] | None = None,
) -> list[ProblemState]:
    """Every problem in scope raised before the period's end, as of ``period.as_of(now)``.

    逾期: open as of that moment and past its clock then — 登记 for longer than
    ``assign_within_days`` (None: never), or 交办/办理中 past its deadline.
    ``only``: just these problem ids (a list the caller already chose, e.g. a viewer's).
    """
    as_of = period.as_of(now)
    scoped = (
        select(*PROBLEM_COLUMNS)
        .join(Target, Target.id == Problem.target_id)
        .join(Cadre, Cadre.id == Problem.found_by_id)
        .where(scope.problem_condition(campaign_id), Problem.created_at < as_of)
        .order_by(Problem.id)
    )
    if only is not None:
        scoped = scoped.where(Problem.id.in_(sorted(only)))
    rows = [problem_row(row) for row in session.execute(scoped)]
    if not rows:
        return []
    ids = scoped.with_only_columns(Problem.id).order_by(None)
    events: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for problem_id, to_status, at in session.execute(
        select(ProblemEvent.problem_id, ProblemEvent.to_status, ProblemEvent.at)
        .where(ProblemEvent.problem_id.in_(ids), ProblemEvent.at < as_of)
        .order_by(ProblemEvent.at, ProblemEvent.id)
    ):
        events[problem_id].append((to_status, at))
    window = timedelta(days=assign_within_days) if assign_within_days is not None else None
    return [state_of(row, events.get(row.id, ()), period, as_of, window) for row in rows]


@dataclass
class ProblemFigures:
    """Problem figures of one group (see docs/facts.md for each)."""

    label: Hashable
    raised: int = 0  # 问题数: raised in the period
    pending: int = 0  # 待解决 (of those raised in the period), as of the end
    solved: int = 0  # 已解决 (of those raised in the period), as of the end
    explained: int = 0  # 已解释 (of those raised in the period), as of the end
    overdue: int = 0  # 逾期: all open problems past their clock at the end
    solved_in_period: int = 0  # 解决问题数: became 已解决 in the period
    explained_in_period: int = 0  # became 已解释 in the period

    @property
    def closed(self) -> int:
        """办结: 已解决 + 已解释."""
        return self.solved + self.explained


def problem_figures(
    states: Iterable[ProblemState],
    period: Period,
    key: Callable[[ProblemState], Hashable] = lambda s: "",
) -> dict[Hashable, ProblemFigures]:
    """问题数, 待解决, 已解决, 已解释, 逾期, 解决问题数 per ``key`` (one group by default)."""
    out: dict[Hashable, ProblemFigures] = {}
    for s in states:
        label = key(s)
        add_state(out.setdefault(label, ProblemFigures(label)), s, period)
    return out


def add_state(f: ProblemFigures, s: ProblemState, period: Period) -> None:
    """Count one problem's state into ``f`` (:func:`problem_figures`' sum)."""
    f.overdue += s.overdue
    f.solved_in_period += s.solved_in_period
    f.explained_in_period += s.explained_in_period
    if period.contains(s.created_at):
        f.raised += 1
        f.pending += s.bucket == PENDING
        f.solved += s.bucket == SOLVED
        f.explained += s.bucket == EXPLAINED


def halfmonth_label(state: ProblemState) -> str:
    """附件5's 项目: 困难需求 as one line, every other kind by its (seed-003) category."""
    return HARDSHIP_KIND if state.kind == HARDSHIP_KIND else state.category


def total(figures: Iterable[ProblemFigures], label: Hashable = "") -> ProblemFigures:
    out = ProblemFigures(label)
    for f in figures:
        out.raised += f.raised
        out.pending += f.pending
        out.solved += f.solved
        out.explained += f.explained
        out.overdue += f.overdue
        out.solved_in_period += f.solved_in_period
        out.explained_in_period += f.explained_in_period
    return out


@dataclass(frozen=True)
class HalfmonthRow:
    """One 附件5 line: 项目, 已解决, 待解决, 已解释 (never merged; see docs/facts.md)."""

    label: str
    solved: int
    pending: int
    explained: int

    @property
    def subtotal(self) -> int:
        """小计: every problem of the line raised in the period."""
        return self.solved + self.pending + self.explained


def halfmonth_rows(states: Sequence[ProblemState], period: Period) -> list[HalfmonthRow]:
    """Seed 003 附件5 for the problems raised in ``period``, each as of its end:
    困难需求 first, then 意见建议 by category (every seed category, zeros included)."""
    return halfmonth_rows_of(problem_figures(states, period, key=halfmonth_label))


def halfmonth_rows_of(figures: Mapping[Hashable, ProblemFigures]) -> list[HalfmonthRow]:
    """:func:`halfmonth_rows` from the figures per 附件5 line (:func:`halfmonth_label`)."""
    labels = [HARDSHIP_KIND, *CATEGORIES_CHANGZHOU]
    labels += sorted(str(k) for k in set(figures) - set(labels) if figures[k].raised)
    out = []
    for label in labels:
        f = figures.get(label) or ProblemFigures(label)
        out.append(HalfmonthRow(label, f.solved, f.pending, f.explained))
    return out
