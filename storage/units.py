"""The unit tree: who is under whom (a recursive CTE), and finding a unit by name.

Used for scopes: a leader sees their unit's subtree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Unit

SUBTREES = "minqing.subtrees"  # key in Session.info: unit id -> its subtree


def remember_subtrees(session: Session) -> None:
    """Compute each unit's subtree once in this unit of work (a callback: it changes no
    unit), so a leader's 进度 or 问题 asks the tree once, not once per count."""
    session.info.setdefault(SUBTREES, {})


def subtree_ids(session: Session, unit_id: int) -> set[int]:
    """Ids of ``unit_id`` and every unit below it (recursive CTE); empty if unknown."""
    known: dict[int, frozenset[int]] | None = session.info.get(SUBTREES)
    if known is not None and unit_id in known:
        return set(known[unit_id])
    base = select(Unit.id).where(Unit.id == unit_id).cte("subtree", recursive=True)
    tree = base.union_all(select(Unit.id).where(Unit.parent_id == base.c.id))
    ids = set(session.scalars(select(tree.c.id)))
    if known is not None:
        known[unit_id] = frozenset(ids)
    return ids


OFFICE_KINDS = ("线办", "部门")


def unit_names_offices_first(session: Session) -> list[str]:
    """Every unit's name, offices (线办, 部门: the usual 承办单位) first, then by id."""
    rows = session.execute(select(Unit.name, Unit.kind).order_by(Unit.id)).all()
    offices = [name for name, kind in rows if kind in OFFICE_KINDS]
    return offices + [name for name, kind in rows if kind not in OFFICE_KINDS]


def unit_name(session: Session, unit_id: int | None) -> str:
    """The unit's name; "" for None or a unit that is gone."""
    unit = session.get(Unit, unit_id) if unit_id is not None else None
    return unit.name if unit else ""


def find_unit(session: Session, name: str) -> Unit | None:
    """A unit by its exact name, else the only unit whose name contains ``name``.

    ``%`` and ``_`` in ``name`` are literal characters, not LIKE wildcards.
    """
    name = name.strip()
    if not name:
        return None
    exact = session.scalar(select(Unit).where(Unit.name == name))
    if exact is not None:
        return exact
    like = list(
        session.scalars(select(Unit).where(Unit.name.contains(name, autoescape=True)).limit(2))
    )
    return like[0] if len(like) == 1 else None


# Unit kinds that sit at or below a town (镇/街道 and what belongs to them).
TOWN_LEVEL_KINDS = ("镇", "街道", "线办", "村", "社区", "网格")
# Kinds that are city (or county) level when no town-level unit is above them.
CITY_LEVEL_KINDS = ("县", "部门")


def unit_level(session: Session, unit_id: int) -> str:
    """``city`` for a 部门 (or the 县/市 itself) with no 镇/街道/村… above it — a 市直部门;
    else ``town`` (a town, its 线办, villages, grids, and departments inside a town)."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise ValueError(f"no unit {unit_id}")
    kind = unit.kind
    seen: set[int] = set()
    while unit is not None and unit.id not in seen:  # a cycle in bad data must not loop
        if unit.kind in TOWN_LEVEL_KINDS:
            return "town"
        seen.add(unit.id)
        unit = unit.parent
    return "city" if kind in CITY_LEVEL_KINDS else "town"


class UnitTree:
    """All units, loaded once per job run, with subtree look-ups."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self.units = {u.id: u for u in units}
        self.children: dict[int | None, list[int]] = defaultdict(list)
        for u in self.units.values():
            self.children[u.parent_id].append(u.id)

    @classmethod
    def load(cls, session: Session) -> UnitTree:
        return cls(session.scalars(select(Unit).order_by(Unit.id)))

    def by_name(self, name: str) -> Unit | None:
        return next((u for u in self.units.values() if u.name == name), None)

    def name(self, unit_id: int) -> str:
        return self.units[unit_id].name

    def subtree(self, unit_id: int) -> list[int]:
        """``unit_id`` and every unit below it, parents before children."""
        out, todo = [], [unit_id]
        while todo:
            current = todo.pop(0)
            out.append(current)
            todo.extend(sorted(self.children.get(current, [])))
        return out

    def roots(self) -> list[int]:
        return sorted(self.children.get(None, []))
