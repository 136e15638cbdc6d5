"""Unit subtrees: the recursive CTE agrees with a walk over the parent links."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Unit
from storage.units import find_unit, subtree_ids
from tests.support.ledger import build_world


def walked_subtree(session, unit_id: int) -> set[int]:
    """The oracle: ``unit_id`` and everything below it, found by following parents."""
    children: dict[int | None, list[int]] = {}
    for uid, parent in session.execute(select(Unit.id, Unit.parent_id)):
        children.setdefault(parent, []).append(uid)
    out, stack = set(), [unit_id]
    while stack:
        uid = stack.pop()
        out.add(uid)
        stack.extend(children.get(uid, ()))
    return out


def test_subtree_of_a_town(session):
    w = build_world(session)
    assert subtree_ids(session, w.unit("虹桥镇")) == {
        w.unit(n) for n in ("虹桥镇", "一村", "二村", "镇综治办")
    }
    assert subtree_ids(session, w.unit("一村")) == {w.unit("一村")}
    assert subtree_ids(session, 999_999) == set()


def test_cte_and_walk_agree_everywhere(session):
    w = build_world(session)
    for u in w.units.values():
        assert subtree_ids(session, u.id) == walked_subtree(session, u.id)
    assert len(subtree_ids(session, w.unit("华容县"))) == len(w.units)


def test_find_unit_exact_or_unique_fragment(session):
    w = build_world(session)
    assert find_unit(session, "镇综治办").id == w.unit("镇综治办")
    assert find_unit(session, "综治").id == w.unit("镇综治办")
    assert find_unit(session, "村") is None  # ambiguous
    assert find_unit(session, "") is None


def test_find_unit_treats_percent_and_underscore_literally(session):
    w = build_world(session)
    assert find_unit(session, "柴_店") is None  # "_" is not "any one character"
    assert find_unit(session, "%店") is None  # nor "%" "anything"
    assert find_unit(session, "柴胡店").id == w.unit("柴胡店镇")
    session.add(Unit(name="100%覆盖_示范村", kind="村", parent_id=w.unit("虹桥镇")))
    session.flush()
    assert find_unit(session, "0%覆盖_示").name == "100%覆盖_示范村"
