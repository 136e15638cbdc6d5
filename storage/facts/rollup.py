"""The fact layer's figures for many scopes at once: one grouped pass per figure.

A job that reports on every leader's unit (the digests) asks the same figures of ~350
overlapping scopes (a village, its town, the county). Instead of one query per figure
and scope, each figure is counted ONCE per run in the database, grouped by the finest
key a scope can select on — the target's place (unit, 组/网格) and the cadre's unit —
and each scope's figure is the sum of the cells it holds (:class:`Cells`). The
definitions stay the fact layer's (docs/facts.md); tests/storage/test_facts_rollup.py
compares every figure here with the per-scope query on generated towns.

Figures that do not add up across cells are kept as sets: the cadres with a covering
visit (a cadre visits in several places), and by organisation the households visited
(one household visited by cadres of two units of the scope counts once).
Scopes by place (PLACE) and by organisation (ORG) are supported: the unit scopes of
:func:`storage.facts.scope_for_unit`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, TypeVar, cast

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from storage.facts.counts import covering_first
from storage.facts.coverage import KIND_ORDER, Coverage
from storage.facts.problems import (
    PROBLEM_COLUMNS,
    ProblemFigures,
    ProblemState,
    add_state,
    problem_row,
    state_of,
    total,
)
from storage.facts.scope import ORG, PLACE, FactScope, Period
from storage.models import Assignment, Cadre, Problem, ProblemEvent, Target, Visit
from storage.vocab import (
    COVERING_OUTCOMES,
    OUTCOME_APPOINTMENT,
    OUTCOME_AWAY,
    OUTCOME_PHONE,
    OUTCOME_PHONE_MISSED,
    OUTCOME_VISITED,
    TARGET_HOUSEHOLD,
)

V = TypeVar("V")
CHUNK = 5000  # problems per query while replaying their histories

# (target unit, target grid, cadre unit, anything finer): what a scope selects on.
Key = tuple[int, str | None, int | None, Hashable]


class Cells(Generic[V]):
    """Values keyed by (place unit, grid, cadre unit, detail), indexed for scopes."""

    def __init__(self) -> None:
        self.values: dict[Key, V] = {}
        self._by_place: dict[int, list[Key]] = defaultdict(list)
        self._by_cadre_unit: dict[int | None, list[Key]] = defaultdict(list)

    def get(self, key: Key, new: Callable[[], V]) -> V:
        """The value at ``key``, made by ``new`` (and indexed) when there is none."""
        value = self.values.get(key)
        if value is None:
            value = self.values[key] = new()
            self.index(key)
        return value

    def index(self, key: Key) -> None:
        """Index a key just added to ``values``."""
        self._by_place[key[0]].append(key)
        self._by_cadre_unit[key[2]].append(key)

    def keys_of(self, scope: FactScope) -> Iterator[Key]:
        """The keys ``scope`` holds: by place its units' targets (and its 网格 units'
        targets written in their village with the grid's name), by organisation its
        units' cadres — the conditions of :class:`storage.facts.FactScope`."""
        if scope.basis == PLACE:
            for unit_id in scope.unit_ids:
                for key in self._by_place.get(unit_id, ()):
                    if scope.grid is None or key[1] == scope.grid:
                        yield key
            for village, names in scope.grid_units:
                if village in scope.unit_ids:
                    continue
                for key in self._by_place.get(village, ()):
                    if key[1] in names and (scope.grid is None or key[1] == scope.grid):
                        yield key
        elif scope.basis == ORG:
            for unit_id in scope.unit_ids:
                yield from self._by_cadre_unit.get(unit_id, ())
        else:
            raise ValueError(f"roll-ups hold unit scopes only, not {scope.basis!r}")

    def of(self, scope: FactScope) -> Iterator[tuple[Key, V]]:
        for key in self.keys_of(scope):
            yield key, self.values[key]


# --- coverage as of now --------------------------------------------------------------------

OUTCOME_SLOT = {
    OUTCOME_VISITED: 1,
    OUTCOME_PHONE: 2,
    OUTCOME_AWAY: 3,
    OUTCOME_PHONE_MISSED: 4,
    OUTCOME_APPOINTMENT: 5,
}


def coverage_cells(session: Session, campaign_id: int) -> Cells[list[int]]:
    """:func:`storage.facts.coverage` as of now for every assignment of the campaign, per
    (place, grid, cadre unit, (cadre, kind)): [应访, 入户走访, 电话联系, 不在家已登记,
    电话未接通, 约访, 重点对象, 重点对象已覆盖] — one GROUP BY."""
    # The status's outcome per assignment: the first of the target's visits in
    # :func:`storage.facts.counts.covering_first` order, one index look-up each (joined
    # to a window over every visit, SQLite scanned it once per assignment: 72 s at 10 000).
    campaign, order = covering_first(campaign_id)
    outcome = (
        select(Visit.outcome)
        .where(Visit.target_id == Target.id, campaign)
        .order_by(*order)
        .limit(1)
        .correlate(Target)
        .scalar_subquery()
    )
    rows = (
        select(
            Target.unit_id.label("unit_id"),
            Target.grid.label("grid"),
            Cadre.unit_id.label("cadre_unit"),
            Cadre.id.label("cadre_id"),
            Target.kind.label("kind"),
            Target.is_key.label("is_key"),
            outcome.label("outcome"),
        )
        .select_from(Assignment)
        .join(Target, Target.id == Assignment.target_id)
        .join(Cadre, Cadre.id == Assignment.cadre_id)
        .where(Assignment.campaign_id == campaign_id)
        .subquery("assigned")
    )
    columns = [rows.c[name] for name in ("unit_id", "grid", "cadre_unit", "cadre_id")]
    columns += [rows.c.kind, rows.c.is_key, rows.c.outcome]
    query = select(*columns, func.count().label("n")).group_by(*columns)
    cells: Cells[list[int]] = Cells()
    for row in session.execute(query):
        unit_id, grid, cadre_unit, cadre_id, kind, is_key, got, n = tuple(row)
        line = cells.get((unit_id, grid, cadre_unit, (cadre_id, kind)), lambda: [0] * 8)
        line[0] += n
        if got in OUTCOME_SLOT:
            line[OUTCOME_SLOT[got]] += n
        if is_key:
            line[6] += n
            line[7] += n if got in COVERING_OUTCOMES else 0
    return cells


def coverage_of(
    cells: Cells[list[int]], scope: FactScope, group_by: str | None = None
) -> list[Coverage]:
    """:func:`storage.facts.coverage` (as of now, ``target_ids`` left empty) of ``scope``
    from :func:`coverage_cells`; ``group_by`` "target_unit", "cadre" or "cadre_unit"."""
    out: dict[tuple[int | None, str], Coverage] = {}
    for key, n in cells.of(scope):
        unit_id, _, cadre_unit, detail = key
        cadre_id, kind = cast(tuple[int, str], detail)
        group = {"target_unit": unit_id, "cadre": cadre_id, "cadre_unit": cadre_unit}.get(
            group_by or ""
        )
        line = out.get((group, kind))
        if line is None:
            line = out[(group, kind)] = Coverage(kind, group)
        line.assigned += n[0]
        line.visited += n[1]
        line.phone += n[2]
        line.away += n[3]
        line.missed += n[4]
        line.pending += n[5]
        line.key_assigned += n[6]
        line.key_covered += n[7]
    return sorted(out.values(), key=lambda c: (c.group or 0, KIND_ORDER.get(c.kind, 9)))


def cadre_totals(cells: Cells[list[int]]) -> dict[int, tuple[int, int, int]]:
    """Per assigned cadre: (their unit, targets assigned of every kind, of them covered)."""
    out: dict[int, list[int]] = {}
    for (_, _, cadre_unit, detail), n in cells.values.items():
        cadre_id = detail[0]  # type: ignore[index]
        line = out.setdefault(cadre_id, [cadre_unit or 0, 0, 0])
        line[1] += n[0]
        line[2] += n[1] + n[2] + n[3]
    return {cid: (u, a, c) for cid, (u, a, c) in out.items()}


# --- visiting effort in a period -----------------------------------------------------------


@dataclass
class ActivityCells:
    """:func:`storage.facts.activity`'s 走访户数 and 干部走访人数 for one period."""

    households: Cells[int] = field(default_factory=Cells)  # per place: distinct households
    cadres: Cells[bool] = field(default_factory=Cells)  # (place, cadre unit, cadre): visited
    org_households: dict[int, set[int]] = field(default_factory=dict)  # per cadre unit
    org_units: frozenset[int] = frozenset()  # the units org_households was asked for

    def of(self, scope: FactScope) -> tuple[int, int]:
        """(走访户数, 干部走访人数) of ``scope``."""
        cadres = {key[3] for key in self.cadres.keys_of(scope)}
        if scope.basis == ORG:
            if not scope.unit_ids <= self.org_units:
                raise ValueError(f"{scope.label}: its units were not among org_units")
            seen: set[int] = set()
            for unit_id in scope.unit_ids:
                seen |= self.org_households.get(unit_id, set())
            return len(seen), len(cadres)
        return sum(n for _, n in self.households.of(scope)), len(cadres)


def activity_cells(
    session: Session, campaign_id: int, period: Period, org_units: Collection[int]
) -> ActivityCells:
    """Covering visits in ``period``: distinct households per place, the visiting cadres
    per (place, cadre unit), and the households visited by the cadres of ``org_units``
    (the units of the scopes by organisation to be read off)."""
    when = [Visit.campaign_id == campaign_id, Visit.outcome.in_(COVERING_OUTCOMES)]
    if period.since is not None:
        when.append(Visit.submitted_at >= period.since)
    if period.until is not None:
        when.append(Visit.submitted_at < period.until)
    base = (
        select()
        .select_from(Visit)
        .join(Target, Target.id == Visit.target_id)
        .join(Cadre, Cadre.id == Visit.cadre_id)
        .where(*when)
    )
    out = ActivityCells(org_units=frozenset(org_units))
    households = base.add_columns(
        Target.unit_id, Target.grid, func.count(func.distinct(Visit.target_id))
    ).where(Target.kind == TARGET_HOUSEHOLD)
    for unit_id, grid, n in session.execute(households.group_by(Target.unit_id, Target.grid)):
        out.households.values[(unit_id, grid, None, None)] = int(n)
        out.households.index((unit_id, grid, None, None))
    cadres = base.add_columns(Target.unit_id, Target.grid, Cadre.unit_id, Visit.cadre_id)
    for unit_id, grid, cadre_unit, cadre_id in session.execute(cadres.distinct()):
        out.cadres.get((unit_id, grid, cadre_unit, cadre_id), lambda: True)
    if org_units:
        org = base.add_columns(Cadre.unit_id, Visit.target_id).where(
            Target.kind == TARGET_HOUSEHOLD, Cadre.unit_id.in_(sorted(org_units))
        )
        for cadre_unit, target_id in session.execute(org.distinct()):
            out.org_households.setdefault(cadre_unit, set()).add(target_id)
    return out


# --- problems ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemView:
    """One period's problem figures: states as of ``period.as_of(now)``, grouped by
    ``label`` (e.g. the category, or 附件5's line)."""

    period: Period
    assign_within_days: int | None
    label: Callable[[ProblemState], Hashable]
    # Only the problems raised in the period (附件5 counts nothing else): the others'
    # histories are not replayed, and their cells hold none of the view's figures.
    raised_only: bool = False


def problem_cells(
    session: Session, views: Iterable[ProblemView], now: datetime
) -> list[Cells[ProblemFigures]]:
    """:func:`storage.facts.problem_figures` of every problem for each view, per (place of
    its household, the finder's unit, label): one pass over the problems and their
    events, CHUNK problems at a time (the same states as
    :func:`storage.facts.problem_states`)."""
    views = list(views)
    as_of = [v.period.as_of(now) for v in views]
    windows = [
        timedelta(days=v.assign_within_days) if v.assign_within_days is not None else None
        for v in views
    ]
    out: list[Cells[ProblemFigures]] = [Cells() for _ in views]
    latest = max(as_of)
    grid_of = Target.grid
    query = (
        select(*PROBLEM_COLUMNS, grid_of)
        .join(Target, Target.id == Problem.target_id)
        .join(Cadre, Cadre.id == Problem.found_by_id)
        .where(Problem.created_at < latest)
        .order_by(Problem.id)
        .limit(CHUNK)
    )
    after = 0
    connection = session.connection()
    while True:
        # Core execution: the ORM's per-row bookkeeping doubled the time of this loop.
        rows = connection.execute(query.where(Problem.id > after)).all()
        if not rows:
            break
        first, last = rows[0][0], rows[-1][0]
        after = last
        events: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
        for problem_id, to_status, at in connection.execute(
            select(ProblemEvent.problem_id, ProblemEvent.to_status, ProblemEvent.at)
            .where(
                and_(ProblemEvent.problem_id >= first, ProblemEvent.problem_id <= last),
                ProblemEvent.at < latest,
            )
            .order_by(ProblemEvent.problem_id, ProblemEvent.at, ProblemEvent.id)
        ).all():
            events[problem_id].append((to_status, at))
        for raw in rows:
            row = problem_row(raw)
            grid = cast(str | None, raw[-1])
            history = events.get(row.id, [])
            for i, view in enumerate(views):
                if row.created_at >= as_of[i] or (
                    view.raised_only and not view.period.contains(row.created_at)
                ):
                    continue
                mine = (
                    history
                    if not history or history[-1][1] < as_of[i]
                    else [e for e in history if e[1] < as_of[i]]
                )
                state = state_of(row, mine, view.period, as_of[i], windows[i])
                label = view.label(state)
                key = (row.target_unit_id, grid, row.finder_unit_id, label)
                figures = out[i].values.get(key)
                if figures is None:
                    figures = out[i].values[key] = ProblemFigures(label)
                    out[i].index(key)
                add_state(figures, state, view.period)
    return out


def figures_of(cells: Cells[ProblemFigures], scope: FactScope) -> dict[Hashable, ProblemFigures]:
    """:func:`storage.facts.problem_figures` of ``scope``'s problems, per label."""
    parts: dict[Hashable, list[ProblemFigures]] = defaultdict(list)
    for key, f in cells.of(scope):
        parts[key[3]].append(f)
    return {label: total(fs, label) for label, fs in parts.items()}
