"""Periods and scopes of the fact layer (docs/facts.md, "Periods" and "Scopes").

A :class:`Period` is half-open ``[since, until)`` in aware datetimes; a
:class:`FactScope` is by place (the target's unit, 网格/组), by organisation (the
cadre's own unit), one cadre's own targets, or everything. The SQL conditions every
named query filters through are written here once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, true
from sqlalchemy.orm import Session

from storage.models import Assignment, Cadre, Problem, Target, Unit, Visit
from storage.units import UnitTree, find_unit, subtree_ids

ALL, PLACE, ORG, CADRE = "all", "place", "org", "cadre"
# Units counted by their cadres (they have no households of their own).
ORG_UNIT_KINDS = ("线办", "部门")
GRID_UNIT_KIND = "网格"


@dataclass(frozen=True)
class Period:
    """``[since, until)``; None on either side is open (campaign start / now)."""

    since: datetime | None = None
    until: datetime | None = None

    def contains(self, when: datetime | None) -> bool:
        if when is None:
            return False
        return (self.since is None or when >= self.since) and (
            self.until is None or when < self.until
        )

    def as_of(self, now: datetime) -> datetime:
        """The instant states are counted at: ``until``, or ``now`` for an open period."""
        return self.until if self.until is not None and self.until < now else now


@dataclass(frozen=True)
class FactScope:
    """Whose targets, visits and problems a figure counts (docs/facts.md "Scopes").

    ``basis`` PLACE: targets of ``unit_ids`` (plus, for 网格 units, the targets of
    their parent village whose ``grid`` names them: ``grid_units``), optionally only
    those with ``grid``; ORG: the cadres of ``unit_ids``; CADRE: ``cadre_id``'s own.
    """

    basis: str = ALL
    unit_ids: frozenset[int] = frozenset()
    grid_units: tuple[tuple[int, tuple[str, ...]], ...] = ()
    grid: str | None = None
    cadre_id: int | None = None
    label: str = ""

    # --- SQL conditions ---------------------------------------------------------------

    def place_condition(self) -> Any:
        """Condition on ``Target`` for a PLACE scope."""
        parts: list[Any] = [Target.unit_id.in_(sorted(self.unit_ids))]
        # A 网格 whose village is itself in scope adds nothing (all of the village's
        # targets are in already); leaving it out keeps a county's condition short
        # (600 grids made an OR deeper than SQLite's expression limit).
        parts += [
            and_(Target.unit_id == village, Target.grid.in_(names))
            for village, names in self.grid_units
            if village not in self.unit_ids
        ]
        cond = or_(*parts)
        if self.grid:
            cond = and_(cond, Target.grid == self.grid)
        return cond

    def org_cadres(self) -> Any:
        """SELECT of the ids of the cadres of an ORG scope."""
        return select(Cadre.id).where(Cadre.unit_id.in_(sorted(self.unit_ids)))

    def assignment_condition(self, campaign_id: int) -> Any:
        """Condition on ``Target`` and ``Assignment`` (joined) for targets in scope."""
        if self.basis == PLACE:
            return self.place_condition()
        if self.basis == ORG:
            return Assignment.cadre_id.in_(self.org_cadres())
        if self.basis == CADRE:
            return Assignment.cadre_id == (self.cadre_id or 0)
        return true()

    def visit_condition(self) -> Any:
        """Condition on ``Visit`` (joined with ``Target``) for visits in scope."""
        if self.basis == PLACE:
            return self.place_condition()
        if self.basis == ORG:
            return Visit.cadre_id.in_(self.org_cadres())
        if self.basis == CADRE:
            return Visit.cadre_id == (self.cadre_id or 0)
        return true()

    def problem_condition(self, campaign_id: int) -> Any:
        """Condition on ``Problem`` (joined with ``Target``) for problems in scope.

        By place: the problem's household is in the place; by organisation: a cadre of
        the unit found it; one cadre: they found it.
        """
        if self.basis == PLACE:
            return self.place_condition()
        if self.basis == ORG:
            return Problem.found_by_id.in_(self.org_cadres())
        if self.basis == CADRE:
            return Problem.found_by_id == (self.cadre_id or 0)
        return true()


EVERYTHING = FactScope()
NOTHING = FactScope(basis=PLACE)  # no unit: holds nothing


def basis_of(unit: Unit) -> str:
    """ORG for 线办/部门 (counted by their cadres), PLACE for every other unit kind."""
    return ORG if unit.kind in ORG_UNIT_KINDS else PLACE


def grid_names(unit: Unit) -> tuple[str, ...]:
    """How a 网格 unit is written in ``targets.grid``: its name, and without the
    parent's name in front (虹桥村第1网格 → 第1网格)."""
    names = [unit.name]
    parent = unit.parent
    if parent is not None and unit.name.startswith(parent.name) and unit.name != parent.name:
        names.append(unit.name[len(parent.name) :])
    return tuple(names)


def scope_for_unit(
    session: Session, unit: Unit, grid: str | None = None, basis: str | None = None
) -> FactScope:
    """The scope ``--unit`` names: by organisation for 线办/部门, by place otherwise
    (a 网格 unit also takes its village's targets written with its grid)."""
    ids = frozenset(subtree_ids(session, unit.id))
    basis = basis or basis_of(unit)
    grids: list[tuple[int, tuple[str, ...]]] = []
    if basis == PLACE:
        for grid_unit in session.scalars(
            select(Unit).where(Unit.id.in_(sorted(ids)), Unit.kind == GRID_UNIT_KIND)
        ):
            if grid_unit.parent_id is not None:
                grids.append((grid_unit.parent_id, grid_names(grid_unit)))
    return FactScope(
        basis=basis, unit_ids=ids, grid_units=tuple(sorted(grids)), grid=grid, label=unit.name
    )


def scope_in_tree(tree: UnitTree, unit: Unit, basis: str | None = None) -> FactScope:
    """:func:`scope_for_unit` read from a loaded unit tree, no query (a job that scopes
    every leader's unit)."""
    ids = frozenset(tree.subtree(unit.id))
    basis = basis or basis_of(unit)
    grids: list[tuple[int, tuple[str, ...]]] = []
    if basis == PLACE:
        for grid_unit in (tree.units[i] for i in ids):
            if grid_unit.kind == GRID_UNIT_KIND and grid_unit.parent_id is not None:
                grids.append((grid_unit.parent_id, grid_names(grid_unit)))
    return FactScope(basis=basis, unit_ids=ids, grid_units=tuple(sorted(grids)), label=unit.name)


def unit_and_grid(session: Session, name: str) -> tuple[Unit, str | None] | None:
    """A unit by name (:func:`storage.units.find_unit`), or a village's 组/网格 written
    after its name ("东山村3组" → 东山村 with ``targets.grid`` 3组) when some target there
    has that 组网格; None when neither."""
    unit = find_unit(session, name)
    if unit is not None:
        return unit, None
    name = name.strip()
    prefixes = [u for u in session.scalars(select(Unit)) if name.startswith(u.name)]
    for village in sorted(prefixes, key=lambda u: -len(u.name)):
        grid = name[len(village.name) :]
        held = select(Target.id).where(
            Target.unit_id.in_(sorted(subtree_ids(session, village.id))), Target.grid == grid
        )
        if grid and session.scalar(held.limit(1)) is not None:
            return village, grid
    return None


def scope_for_name(session: Session, name: str) -> FactScope | None:
    """The scope ``--unit NAME`` names: a unit, or a village's 组/网格 ("东山村3组")."""
    found = unit_and_grid(session, name)
    if found is None:
        return None
    unit, grid = found
    scope = scope_for_unit(session, unit, grid=grid)
    return scope if grid is None else replace(scope, label=f"{unit.name}{grid}")


def cadre_scope(cadre: Cadre) -> FactScope:
    """One cadre's own targets, visits and problems (a visiting cadre's chat 进度)."""
    return FactScope(basis=CADRE, cadre_id=cadre.id, label=cadre.name)


def viewer_scope(session: Session, viewer: Cadre) -> FactScope:
    """What ``viewer`` sees in chat: a leader or admin their unit, anyone else their own."""
    if viewer.role in ("leader", "admin"):
        unit = session.get(Unit, viewer.unit_id)
        if unit is not None:
            return scope_for_unit(session, unit)
    return cadre_scope(viewer)
