"""The unit tree: who is under whom. Used for scopes (a leader sees their subtree).

Two implementations that must agree (a test checks): a recursive CTE, run by the
database, and a walk over all (id, parent_id) pairs in Python for callers that
already hold the whole tree or run many look-ups in one job.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Unit


def subtree_ids(session: Session, unit_id: int) -> set[int]:
    """Ids of ``unit_id`` and every unit below it (recursive CTE); empty if unknown."""
    base = select(Unit.id).where(Unit.id == unit_id).cte("subtree", recursive=True)
    tree = base.union_all(select(Unit.id).where(Unit.parent_id == base.c.id))
    return set(session.scalars(select(tree.c.id)))


def subtree_ids_walk(pairs: Iterable[tuple[int, int | None]], unit_id: int) -> set[int]:
    """The same as :func:`subtree_ids`, over (id, parent_id) pairs already loaded."""
    children: dict[int | None, list[int]] = defaultdict(list)
    known = set()
    for uid, parent in pairs:
        children[parent].append(uid)
        known.add(uid)
    if unit_id not in known:
        return set()
    out, stack = set(), [unit_id]
    while stack:
        uid = stack.pop()
        if uid in out:  # a cycle in bad data must not loop forever
            continue
        out.add(uid)
        stack.extend(children.get(uid, ()))
    return out


def unit_pairs(session: Session) -> list[tuple[int, int | None]]:
    """All (id, parent_id) pairs, for :func:`subtree_ids_walk`."""
    return [(uid, parent) for uid, parent in session.execute(select(Unit.id, Unit.parent_id))]


OFFICE_KINDS = ("线办", "部门")


def unit_names_offices_first(session: Session) -> list[str]:
    """Every unit's name, offices (线办, 部门: the usual 承办单位) first, then by id."""
    rows = session.execute(select(Unit.name, Unit.kind).order_by(Unit.id)).all()
    offices = [name for name, kind in rows if kind in OFFICE_KINDS]
    return offices + [name for name, kind in rows if kind not in OFFICE_KINDS]


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
