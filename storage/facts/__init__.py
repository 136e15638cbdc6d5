"""The fact layer: every figure a person reads, as one named query (docs/facts.md).

Chat 进度, the digests, the 讲评 notices and the export tables call these queries and
nothing else; each query's docstring is the figure's definition.
"""

from __future__ import annotations

from storage.facts.coverage import (
    Activity,
    Coverage,
    StatusVisit,
    activity,
    away_households,
    coverage,
    covered_as_of,
    no_problem_households,
    of_kind,
    target_statuses,
)
from storage.facts.problems import (
    BUCKET_LABELS,
    EXPLAINED,
    PENDING,
    SOLVED,
    HalfmonthRow,
    ProblemFigures,
    ProblemState,
    halfmonth_label,
    halfmonth_rows,
    problem_figures,
    problem_states,
    total,
)
from storage.facts.scope import (
    ALL,
    CADRE,
    EVERYTHING,
    NOTHING,
    ORG,
    PLACE,
    FactScope,
    Period,
    basis_of,
    cadre_scope,
    scope_for_name,
    scope_for_unit,
    unit_and_grid,
    viewer_scope,
)

__all__ = [
    "ALL",
    "BUCKET_LABELS",
    "CADRE",
    "EVERYTHING",
    "EXPLAINED",
    "NOTHING",
    "ORG",
    "PENDING",
    "PLACE",
    "SOLVED",
    "Activity",
    "Coverage",
    "FactScope",
    "HalfmonthRow",
    "Period",
    "ProblemFigures",
    "ProblemState",
    "StatusVisit",
    "activity",
    "away_households",
    "basis_of",
    "cadre_scope",
    "coverage",
    "covered_as_of",
    "halfmonth_label",
    "halfmonth_rows",
    "no_problem_households",
    "of_kind",
    "problem_figures",
    "problem_states",
    "scope_for_name",
    "scope_for_unit",
    "target_statuses",
    "total",
    "unit_and_grid",
    "viewer_scope",
]
