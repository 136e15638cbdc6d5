"""The coverage figures of chat 进度 as ONE aggregate query each, for the callback path.

Same numbers as the fact layer's definitions, computed in the database instead of rows
folded in Python: :func:`coverage_counts` equals :func:`storage.facts.coverage.coverage`
(without ``target_ids``) and :func:`cell_counts` equals
:func:`storage.facts.unit_coverage.coverage_cells`; tests/storage/test_facts_counts.py
compares them on generated towns. Change a definition there first, then here.

A target's status (:func:`storage.facts.coverage.target_statuses`) is its latest
covering visit, else its latest visit: here the first row of its visits ordered by
(covering first, ``submitted_at`` desc, ``id`` desc), a window function that SQLite
(3.25+) and PostgreSQL both run on the ``visits (target_id, …)`` index.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import and_, case, func, null, or_, select
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


def _statuses(campaign_id: int, target_ids: Any) -> Any:
    """Subquery (target_id, outcome) of each visited target's status as of now."""
    campaign, order = covering_first(campaign_id)
    ranked = (
        select(
            Visit.target_id,
            Visit.outcome,
            func.row_number()
            .over(
                partition_by=Visit.target_id,
                order_by=order,
            )
            .label("rank"),
        )
        .where(campaign, Visit.target_id.in_(target_ids))
        .subquery("ranked")
    )
    return select(ranked.c.target_id, ranked.c.outcome).where(ranked.c.rank == 1).subquery("status")


def _count(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def coverage_counts(
    session: Session, campaign_id: int, scope: FactScope, group_by: str | None = None
) -> list[Coverage]:
    """:func:`storage.facts.coverage.coverage` as of now, in one query (``target_ids``
    left empty): per target kind, and per ``group_by`` ("target_unit", "cadre",
    "cadre_unit")."""
    in_scope = (
        select(Target.id)
        .join(Assignment, Assignment.target_id == Target.id)
        .join(Cadre, Cadre.id == Assignment.cadre_id)
        .where(Assignment.campaign_id == campaign_id, scope.assignment_condition(campaign_id))
    )
    status = _statuses(campaign_id, in_scope)
    outcome = status.c.outcome
    group = GROUPS[group_by] if group_by else None
    covered = outcome.in_(COVERING_OUTCOMES)
    query = (
        select(
            group if group is not None else null(),
            Target.kind,
            func.count(),
            _count(outcome == OUTCOME_VISITED),
            _count(outcome == OUTCOME_PHONE),
            _count(outcome == OUTCOME_AWAY),
            _count(outcome == OUTCOME_PHONE_MISSED),
            _count(outcome == OUTCOME_APPOINTMENT),
            _count(Target.is_key.is_(True)),
            _count(and_(Target.is_key.is_(True), covered)),
        )
        .select_from(Target)
        .join(Assignment, Assignment.target_id == Target.id)
        .join(Cadre, Cadre.id == Assignment.cadre_id)
        .outerjoin(status, status.c.target_id == Target.id)
        .where(Assignment.campaign_id == campaign_id, scope.assignment_condition(campaign_id))
        .group_by(*([group] if group is not None else []), Target.kind)
    )
    lines = [
        Coverage(
            kind=kind,
            group=grp,
            assigned=int(n),
            visited=int(visited or 0),
            phone=int(phone or 0),
            away=int(away or 0),
            missed=int(missed or 0),
            pending=int(pending or 0),
            key_assigned=int(key or 0),
            key_covered=int(key_covered or 0),
        )
        for grp, kind, n, visited, phone, away, missed, pending, key, key_covered in (
            session.execute(query)
        )
    ]
    return sorted(lines, key=lambda c: (c.group or 0, KIND_ORDER.get(c.kind, 9)))


def cell_counts(
    session: Session, campaign_id: int, unit_ids: Collection[int]
) -> list[CoverageCell]:
    """:func:`storage.facts.unit_coverage.coverage_cells` in one query: households of
    ``unit_ids`` (by place, or assigned to a cadre of them) per (place, grid, cadre)."""
    ids = sorted(unit_ids)
    if not ids:
        return []
    condition = and_(
        Assignment.campaign_id == campaign_id,
        Target.kind == TARGET_HOUSEHOLD,
        or_(Target.unit_id.in_(ids), Cadre.unit_id.in_(ids)),
    )
    in_scope = (
        select(Target.id)
        .select_from(Assignment)
        .join(Target, Target.id == Assignment.target_id)
        .join(Cadre, Cadre.id == Assignment.cadre_id)
        .where(condition)
    )
    status = _statuses(campaign_id, in_scope)
    place = Unit.__table__.alias("place")
    home = Unit.__table__.alias("home")
    grid = func.coalesce(Target.grid, "")
    query = (
        select(
            Target.unit_id,
            place.c.name,
            grid,
            Cadre.id,
            Cadre.name,
            home.c.name,
            func.count(),
            _count(status.c.outcome.in_(COVERING_OUTCOMES)),
        )
        .select_from(Assignment)
        .join(Target, Target.id == Assignment.target_id)
        .join(Cadre, Cadre.id == Assignment.cadre_id)
        .outerjoin(place, place.c.id == Target.unit_id)
        .outerjoin(home, home.c.id == Cadre.unit_id)
        .outerjoin(status, status.c.target_id == Target.id)
        .where(condition)
        .group_by(Target.unit_id, place.c.name, grid, Cadre.id, Cadre.name, home.c.name)
    )
    cells = [
        CoverageCell(
            unit_id=unit_id,
            unit=unit or "",
            grid=grid_name,
            cadre_id=cadre_id,
            cadre=cadre or "",
            cadre_unit=cadre_unit or "",
            assigned=int(assigned),
            covered=int(covered or 0),
        )
        for unit_id, unit, grid_name, cadre_id, cadre, cadre_unit, assigned, covered in (
            session.execute(query)
        )
    ]
    return sorted(cells, key=lambda c: (c.unit_id, c.grid, c.cadre_id))
