""":mod:`storage.progress`'s figures for every unit scope of one job run, counted once.

The digests report on ~350 leader units whose subtrees overlap (village, town, county).
:class:`RunFigures` counts each figure once per run with :mod:`storage.facts.rollup`
(one GROUP BY per figure, the problems' histories replayed once) and reads each scope's
figures off the cells; every method returns exactly what its namesake in
:mod:`storage.progress` returns for that scope (tests/storage/test_facts_rollup.py).
Read-only; memory holds cells (places × cadres), never rows per household.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import facts
from storage.facts import FactScope, Period
from storage.facts import rollup as R
from storage.models import Cadre
from storage.progress import (
    CadreProgress,
    HalfmonthRow,
    ProblemCounts,
    UnitCoverage,
    WeeklyFigures,
    category_counts,
    unit_coverage_row,
)
from storage.units import UnitTree
from storage.vocab import TARGET_HOUSEHOLD


class RunFigures:
    """The digest figures of any unit scope (:func:`storage.facts.scope_for_unit`).

    ``counts_period``: the period of 问题 counts (the day, or the week for a weekly);
    ``activity_periods``: named periods of 走访户数 / 干部走访人数 ("day", "week");
    ``half``: 附件5's half month; ``org_units``: the units of every scope by organisation
    that will be asked (their cadres' visited households are kept as sets).
    """

    def __init__(
        self,
        session: Session,
        campaign_id: int,
        tree: UnitTree,
        now: datetime,
        *,
        counts_period: Period,
        activity_periods: dict[str, Period],
        half: Period,
        assign_within_days: int | None,
        org_units: Collection[int] = (),
    ) -> None:
        self.tree = tree
        self.coverage = R.coverage_cells(session, campaign_id)
        self.activity = {
            name: R.activity_cells(session, campaign_id, period, org_units)
            for name, period in activity_periods.items()
        }
        views = [
            R.ProblemView(counts_period, assign_within_days, lambda s: s.category),
            R.ProblemView(half, assign_within_days, facts.halfmonth_label, raised_only=True),
        ]
        self.counts, self.half = R.problem_cells(session, views, now)
        self.cadres = {
            cid: (userid, name, unit_id, active)
            for cid, userid, name, unit_id, active in session.execute(
                select(Cadre.id, Cadre.userid, Cadre.name, Cadre.unit_id, Cadre.active)
            )
        }
        self._progress = self._all_progress()

    # --- coverage ----------------------------------------------------------------------

    def scope_coverage(self, scope: FactScope) -> list[UnitCoverage]:
        """:func:`storage.progress.scope_coverage` (as of now)."""
        by_cadre = scope.basis in (facts.ORG, facts.CADRE)
        lines = R.coverage_of(self.coverage, scope, "cadre" if by_cadre else "target_unit")
        lines = [c for c in lines if c.kind == TARGET_HOUSEHOLD]
        if by_cadre:
            names = {c.group: self.cadres[c.group][1] for c in lines if c.group in self.cadres}
        else:
            names = {uid: u.name for uid, u in self.tree.units.items()}
        return [unit_coverage_row(names.get(c.group or 0, ""), c) for c in lines]

    def coverage_lines(self, scope: FactScope) -> list[facts.Coverage]:
        """:func:`storage.facts.coverage` of ``scope`` as of now, per target kind."""
        return R.coverage_of(self.coverage, scope)

    def other_kinds(self, scope: FactScope) -> list[facts.Coverage]:
        """:func:`storage.progress.other_kinds` (as of now)."""
        return [c for c in R.coverage_of(self.coverage, scope) if c.kind != TARGET_HOUSEHOLD]

    def _all_progress(self) -> list[CadreProgress]:
        out = []
        for cid, (_, assigned, covered) in sorted(R.cadre_totals(self.coverage).items()):
            found = self.cadres.get(cid)
            if found is None or not found[3]:
                continue
            userid, name, unit_id, _ = found
            out.append(CadreProgress(cid, userid, name, unit_id, assigned, covered))
        return out

    def cadre_progress(self, unit_ids: Collection[int]) -> list[CadreProgress]:
        """:func:`storage.progress.cadre_progress` of the cadres of ``unit_ids``."""
        units = set(unit_ids)
        return [p for p in self._progress if p.unit_id in units]

    # --- activity ------------------------------------------------------------------------

    def households(self, period: str, scope: FactScope) -> int:
        """走访户数 (:func:`storage.facts.activity`) in the named period."""
        return self.activity[period].of(scope)[0]

    # --- problems ------------------------------------------------------------------------

    def problem_counts(self, scope: FactScope) -> list[ProblemCounts]:
        """:func:`storage.progress.problem_counts` over ``counts_period``."""
        return category_counts(R.figures_of(self.counts, scope))

    def weekly_figures(self, scope: FactScope, week: str = "week") -> WeeklyFigures:
        """:func:`storage.progress.weekly_figures` (``counts_period`` must be the week)."""
        households, cadres = self.activity[week].of(scope)
        f = facts.total(R.figures_of(self.counts, scope).values())
        return WeeklyFigures(cadres, households, f.raised, f.solved_in_period)

    def halfmonth_rows(self, scope: FactScope) -> list[HalfmonthRow]:
        """:func:`storage.facts.halfmonth_rows` of ``half``."""
        return facts.halfmonth_rows_of(R.figures_of(self.half, scope))
