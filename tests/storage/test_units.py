"""Unit subtrees: the recursive CTE and the Python walk agree on every unit."""

from __future__ import annotations

from storage.models import Unit
from storage.units import find_unit, subtree_ids, subtree_ids_walk, unit_pairs
from tests.support.ledger import build_world


def test_subtree_of_a_town(session):
    w = build_world(session)
    assert subtree_ids(session, w.unit("虹桥镇")) == {
        w.unit(n) for n in ("虹桥镇", "一村", "二村", "镇综治办")
    }
    assert subtree_ids(session, w.unit("一村")) == {w.unit("一村")}
    assert subtree_ids(session, 999_999) == set()


def test_cte_and_walk_agree_everywhere(session):
    w = build_world(session)
    pairs = unit_pairs(session)
    for u in w.units.values():
        assert subtree_ids(session, u.id) == subtree_ids_walk(pairs, u.id)
    assert len(subtree_ids(session, w.unit("华容县"))) == len(w.units)


def test_walk_survives_a_cycle():
    assert subtree_ids_walk([(1, 2), (2, 1)], 1) == {1, 2}
    assert subtree_ids_walk([(1, None)], 5) == set()


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
