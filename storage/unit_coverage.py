"""A unit's visit coverage, by place and by cadre (a leader's 进度). Read-only.

Definition — *covered* (已覆盖): a target is covered when its latest visit in the
campaign has the outcome ``visited`` (入户走访), ``phone`` (电话联系) or ``away``
(不在家已登记). ``phone_missed`` (电话未接通) and ``appointment`` (约访) do not cover,
and neither does no visit at all. "Latest" is by submission time (then visit id).

A unit's targets: those whose place (the target's unit: village, community, grid) is
in the unit's subtree, plus those assigned to a cadre of the subtree (a 线办 or a
department whose cadres visit elsewhere).

:func:`coverage_cells` is the one query (a single GROUP BY over assignments, the
latest visit per target found with a window function); :func:`by_place` and
:func:`by_cadre` roll its cells up, laggards first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from storage.models import Assignment, Cadre, Target, Unit, Visit
from storage.vocab import OUTCOME_AWAY, OUTCOME_PHONE, OUTCOME_VISITED

COVERING_OUTCOMES = (OUTCOME_VISITED, OUTCOME_PHONE, OUTCOME_AWAY)


@dataclass(frozen=True)
class CoverageCell:
    """Assigned and covered targets of one (place unit, grid, cadre) combination."""

    unit_id: int
    unit: str
    grid: str
    cadre_id: int
    cadre: str
    cadre_unit: str
    assigned: int
    covered: int


@dataclass(frozen=True)
class CoverageLine:
    """One line of a roll-up: a place or a cadre, with its counts."""

    label: str
    assigned: int
    covered: int

    @property
    def left(self) -> int:
        return self.assigned - self.covered

    @property
    def rate(self) -> float:
        return self.covered / self.assigned if self.assigned else 1.0


def coverage_cells(
    session: Session, campaign_id: int, unit_ids: Collection[int]
) -> list[CoverageCell]:
    """Coverage of the targets of ``unit_ids`` (see the module docstring), per
    (place unit, grid, assigned cadre), in one query."""
    ids = list(unit_ids)
    if not ids:
        return []
    latest = (
        select(
            Visit.target_id,
            Visit.outcome,
            func.row_number()
            .over(
                partition_by=Visit.target_id,
                order_by=(Visit.submitted_at.desc(), Visit.id.desc()),
            )
            .label("rn"),
        )
        .where(Visit.campaign_id == campaign_id)
        .subquery()
    )
    covered = case((latest.c.outcome.in_(COVERING_OUTCOMES), 1), else_=0)
    rows = session.execute(
        select(
            Target.unit_id,
            Target.grid,
            Assignment.cadre_id,
            func.count(Target.id),
            func.coalesce(func.sum(covered), 0),
        )
        .select_from(Assignment)
        .join(Target, Target.id == Assignment.target_id)
        .join(Cadre, Cadre.id == Assignment.cadre_id)
        .outerjoin(latest, and_(latest.c.target_id == Target.id, latest.c.rn == 1))
        .where(
            Assignment.campaign_id == campaign_id,
            or_(Target.unit_id.in_(ids), Cadre.unit_id.in_(ids)),
        )
        .group_by(Target.unit_id, Target.grid, Assignment.cadre_id)
    ).all()
    units: dict[int, str] = {uid: name for uid, name in session.execute(select(Unit.id, Unit.name))}
    cadre_ids = {row[2] for row in rows}
    cadres = {
        cid: (name, units.get(uid, ""))
        for cid, name, uid in session.execute(
            select(Cadre.id, Cadre.name, Cadre.unit_id).where(Cadre.id.in_(cadre_ids))
        )
    }
    return [
        CoverageCell(
            unit_id=unit_id,
            unit=units.get(unit_id, ""),
            grid=grid or "",
            cadre_id=cadre_id,
            cadre=cadres.get(cadre_id, ("", ""))[0],
            cadre_unit=cadres.get(cadre_id, ("", ""))[1],
            assigned=int(assigned),
            covered=int(done),
        )
        for unit_id, grid, cadre_id, assigned, done in rows
    ]


def _roll_up(
    cells: Iterable[CoverageCell],
    key: Callable[[CoverageCell], object],
    label: Callable[[CoverageCell], str],
) -> list[CoverageLine]:
    sums: dict[object, list[int]] = defaultdict(lambda: [0, 0])
    labels: dict[object, str] = {}
    for cell in cells:
        pair = sums[key(cell)]
        pair[0] += cell.assigned
        pair[1] += cell.covered
        labels[key(cell)] = label(cell)
    lines = [CoverageLine(labels[k], a, c) for k, (a, c) in sums.items()]
    return sorted(lines, key=lambda line: (line.rate, -line.left, line.label))


def by_place(cells: Iterable[CoverageCell]) -> list[CoverageLine]:
    """Per village/community (and its grid or 组 when the roster gives one), laggards first."""
    return _roll_up(cells, lambda c: (c.unit_id, c.grid), lambda c: f"{c.unit} {c.grid}".strip())


def by_cadre(cells: Iterable[CoverageCell]) -> list[CoverageLine]:
    """Per assigned cadre (with the cadre's own unit), laggards first."""
    return _roll_up(cells, lambda c: c.cadre_id, lambda c: f"{c.cadre}（{c.cadre_unit}）")


def totals(cells: Iterable[CoverageCell]) -> CoverageLine:
    """All the unit's targets together."""
    listed = list(cells)
    return CoverageLine("", sum(c.assigned for c in listed), sum(c.covered for c in listed))
