"""A unit's visit coverage, by place and by cadre (a leader's 进度). Read-only.

Definition — *covered* (已覆盖) is the fact layer's (docs/facts.md,
:func:`storage.facts.coverage.target_statuses`): a target is covered when it has a
visit with the outcome ``visited`` (入户走访), ``phone`` (电话联系) or ``away``
(不在家已登记); ``phone_missed`` (电话未接通) and ``appointment`` (约访) do not cover,
and a later one does not undo a contact already made. Households only (户): villages
and places have their own lines elsewhere.

A unit's targets: those whose place (the target's unit: village, community, grid) is
in the unit's subtree, plus those assigned to a cadre of the subtree (a 线办 or a
department whose cadres visit elsewhere).

:func:`coverage_cells` counts per (place, grid, cadre); :func:`by_place` and
:func:`by_cadre` roll its cells up, laggards first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from storage.facts.coverage import target_statuses
from storage.models import Assignment, Cadre, Target, Unit
from storage.vocab import TARGET_HOUSEHOLD


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
    """Coverage of the households of ``unit_ids`` (see the module docstring), per
    (place unit, grid, assigned cadre)."""
    ids = list(unit_ids)
    if not ids:
        return []
    query = (
        select(Target.id, Target.unit_id, Target.grid, Assignment.cadre_id)
        .select_from(Assignment)
        .join(Target, Target.id == Assignment.target_id)
        .join(Cadre, Cadre.id == Assignment.cadre_id)
        .where(
            Assignment.campaign_id == campaign_id,
            Target.kind == TARGET_HOUSEHOLD,
            or_(Target.unit_id.in_(ids), Cadre.unit_id.in_(ids)),
        )
    )
    rows = session.execute(query).all()
    if not rows:
        return []
    statuses = target_statuses(session, campaign_id, None, query.with_only_columns(Target.id))
    counts: dict[tuple[int, str, int], list[int]] = defaultdict(lambda: [0, 0])
    for target_id, unit_id, grid, cadre_id in rows:
        cell = counts[(unit_id, grid or "", cadre_id)]
        cell[0] += 1
        status = statuses.get(target_id)
        cell[1] += status is not None and status.covered
    units: dict[int, str] = {uid: name for uid, name in session.execute(select(Unit.id, Unit.name))}
    cadre_ids = {key[2] for key in counts}
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
            grid=grid,
            cadre_id=cadre_id,
            cadre=cadres.get(cadre_id, ("", ""))[0],
            cadre_unit=cadres.get(cadre_id, ("", ""))[1],
            assigned=assigned,
            covered=covered,
        )
        for (unit_id, grid, cadre_id), (assigned, covered) in sorted(counts.items())
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
