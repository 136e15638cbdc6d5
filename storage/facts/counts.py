"""The coverage figures of chat 进度 as ONE aggregate query each, for the callback path.

Same numbers as the fact layer's definitions, computed in the database instead of rows
folded in Python: :func:`coverage_counts` equals :func:`storage.facts.coverage.coverage`
(without ``target_ids``) and :func:`cell_counts` equals
:func:`storage.facts.unit_coverage.coverage_cells`; tests/storage/test_facts_counts.py
compares them on generated towns. Change a definition there first, then here.

A target's status (:func:`storage.facts.coverage.target_statuses`) is its latest
covering visit, else its latest visit: here the first of its visits ordered by
(covering first, ``submitted_at`` desc, ``id`` desc), a subquery correlated to each
target that SQLite and PostgreSQL both answer from the ``visits (target_id, …)`` index;
a target is covered iff one of its visits covers. No join to a ranked list of every
visit: SQLite scanned that list once per target (32 s for a county of 10 000).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import case, func, literal, null, select, union, union_all
from sqlalchemy.orm import Session

from storage.facts.coverage import KIND_ORDER, Coverage
from storage.facts.scope import FactScope
from storage.facts.unit_coverage import CoverageCell
from storage.models import Assignment, Cadre, Target, Unit, Visit
from storage.vocab import (
    COVERING_OUTCOMES,
    OUTCOME_APPOINTMENT,
    OUTCOME_AWAY,
    OUTCOME_PHONE,
    OUTCOME_PHONE_MISSED,
    OUTCOME_VISITED,
    TARGET_HOUSEHOLD,
)

_BY_OUTCOME = {
    OUTCOME_VISITED: "visited",
    OUTCOME_PHONE: "phone",
    OUTCOME_AWAY: "away",
    OUTCOME_PHONE_MISSED: "missed",
    OUTCOME_APPOINTMENT: "pending",
}
_FIELDS = ("assigned", *_BY_OUTCOME.values(), "key_assigned", "key_covered")
CHUNK = 5000  # ids per IN list (far below any driver's parameter limit)
GROUPS = {"target_unit": Target.unit_id, "cadre": Cadre.id, "cadre_unit": Cadre.unit_id}


def covering_first(campaign_id: int) -> tuple[Any, tuple[Any, ...]]:
    """The visits of the campaign, and their order for a target's status: covering
    visits first, then the latest (``submitted_at``, then ``id``) first."""
    covering = case((Visit.outcome.in_(COVERING_OUTCOMES), 1), else_=0)
    return Visit.campaign_id == campaign_id, (
        covering.desc(),
        Visit.submitted_at.desc(),
        Visit.id.desc(),
    )


def _status_outcome(campaign_id: int) -> Any:
    """Scalar subquery: the outcome of the target's status as of now (NULL if unvisited),
    correlated to ``Target``: one lookup on the ``visits (target_id, …)`` index per target.

    (A join to a ranked subquery was O(targets × visits) on SQLite, which scanned the
    materialised ranking for every target: 32 s for a county of 10 000.)"""
    campaign, order = covering_first(campaign_id)
    return (
        select(Visit.outcome)
        .where(campaign, Visit.target_id == Target.id)
        .order_by(*order)
        .limit(1)
        .correlate(Target)
        .scalar_subquery()
    )


def covering_visit(campaign_id: int, target_id: Any) -> Any:
    """``EXISTS`` a visit of the campaign that covers the target whose id is ``target_id``
    (a column of the enclosing query): a target is covered iff one of its visits covers
    it, since its status prefers those."""
    return (
        select(Visit.id)
        .where(
            Visit.campaign_id == campaign_id,
            Visit.target_id == target_id,
            Visit.outcome.in_(COVERING_OUTCOMES),
        )
        .exists()
    )


def _count(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def coverage_counts(
    session: Session, campaign_id: int, scope: FactScope, group_by: str | None = None
) -> list[Coverage]:
    """:func:`storage.facts.coverage.coverage` as of now, in one query (``target_ids``
    left empty): per target kind, and per ``group_by`` ("target_unit", "cadre",
    "cadre_unit"). The database counts targets per (group, kind, status, key); the
    few rows that gives are summed here."""
    outcome = _status_outcome(campaign_id).label("outcome")
    group = GROUPS[group_by] if group_by else None
    keys = [*([group] if group is not None else []), Target.kind, outcome, Target.is_key]
    query = (
        select(
            group if group is not None else null(),
            Target.kind,
            outcome,
            Target.is_key,
            func.count(),
        )
        .select_from(Target)
        .join(Assignment, Assignment.target_id == Target.id)
        .join(Cadre, Cadre.id == Assignment.cadre_id)
        .where(Assignment.campaign_id == campaign_id, scope.assignment_condition(campaign_id))
        .group_by(*keys)
    )
    sums: dict[tuple[Any, str], dict[str, int]] = {}
    for grp, kind, status, is_key, n in session.execute(query):
        line = sums.setdefault((grp, kind), dict.fromkeys(_FIELDS, 0))
        line["assigned"] += n
        if status in _BY_OUTCOME:
            line[_BY_OUTCOME[status]] += n
        if is_key:
            line["key_assigned"] += n
            if status in COVERING_OUTCOMES:
                line["key_covered"] += n
    lines = [
        Coverage(
            kind=kind,
            group=grp,
            assigned=line["assigned"],
            visited=line["visited"],
            phone=line["phone"],
            away=line["away"],
            missed=line["missed"],
            pending=line["pending"],
            key_assigned=line["key_assigned"],
            key_covered=line["key_covered"],
        )
        for (grp, kind), line in sums.items()
    ]
    return sorted(lines, key=lambda c: (c.group or 0, KIND_ORDER.get(c.kind, 9)))


def cell_counts(
    session: Session, campaign_id: int, unit_ids: Collection[int]
) -> list[CoverageCell]:
    """:func:`storage.facts.unit_coverage.coverage_cells` in one query: households of
    ``unit_ids`` (by place, or assigned to a cadre of them) per (place, grid, cadre)."""
    return named_cells(session, cell_rows(session, campaign_id, unit_ids))


CellRow = tuple[int, str, int, int, int]  # place unit id, grid, cadre id, assigned, covered


def cell_rows(session: Session, campaign_id: int, unit_ids: Collection[int]) -> list[CellRow]:
    """The counts of :func:`cell_counts` by ids, before names.

    The scope is a union of two indexed lookups (targets of the places, assignments of
    the cadres), not an OR over every assignment of the campaign; the database groups
    by ids only, and the names of the few units and cadres are read after."""
    ids = sorted(unit_ids)
    if not ids:
        return []
    in_scope = union(
        select(Target.id).where(Target.unit_id.in_(ids)),
        select(Assignment.target_id)
        .join(Cadre, Cadre.id == Assignment.cadre_id)
        .where(Assignment.campaign_id == campaign_id, Cadre.unit_id.in_(ids)),
    )
    grid = func.coalesce(Target.grid, "")
    query = (
        select(
            Target.unit_id,
            grid,
            Assignment.cadre_id,
            func.count(),
            _count(covering_visit(campaign_id, Target.id)),
        )
        .select_from(Assignment)
        .join(Target, Target.id == Assignment.target_id)
        .where(
            Assignment.campaign_id == campaign_id,
            Target.kind == TARGET_HOUSEHOLD,
            Assignment.target_id.in_(in_scope),
        )
        .group_by(Target.unit_id, grid, Assignment.cadre_id)
    )
    return [
        (unit_id, grid_name, cadre_id, int(assigned), int(covered or 0))
        for unit_id, grid_name, cadre_id, assigned, covered in session.execute(query)
    ]


def named_cells(session: Session, rows: Sequence[CellRow]) -> list[CoverageCell]:
    """``rows`` as :class:`CoverageCell` with the names of their units and cadres (one
    more statement), in (place, grid, cadre) order."""
    cadres, names = _names(session, {row[2] for row in rows}, {row[0] for row in rows})
    cells = []
    for unit_id, grid_name, cadre_id, assigned, covered in rows:
        cadre, home = cadres.get(cadre_id, ("", ""))
        cells.append(
            CoverageCell(
                unit_id=unit_id,
                unit=names.get(unit_id, ""),
                grid=grid_name,
                cadre_id=cadre_id,
                cadre=cadre,
                cadre_unit=home,
                assigned=assigned,
                covered=covered,
            )
        )
    return sorted(cells, key=lambda c: (c.unit_id, c.grid, c.cadre_id))


def _names(
    session: Session, cadre_ids: set[int], place_ids: set[int]
) -> tuple[dict[int, tuple[str, str]], dict[int, str]]:
    """(cadre id -> (name, unit's name), place unit id -> name), in one statement for up
    to :data:`CHUNK` of each."""
    cadres: dict[int, tuple[str, str]] = {}
    places: dict[int, str] = {}
    home = Unit.__table__.alias("home")
    cids, pids = sorted(cadre_ids), sorted(place_ids)
    for start in range(0, max(len(cids), len(pids)), CHUNK):
        query = union_all(
            select(literal("c"), Cadre.id, Cadre.name, home.c.name)
            .outerjoin(home, home.c.id == Cadre.unit_id)
            .where(Cadre.id.in_(cids[start : start + CHUNK])),
            select(literal("u"), Unit.id, Unit.name, null()).where(
                Unit.id.in_(pids[start : start + CHUNK])
            ),
        )
        for kind, key, name, unit in session.execute(query):
            if kind == "c":
                cadres[key] = (name or "", unit or "")
            else:
                places[key] = name or ""
    return cadres, places
