"""Cadre look-ups: by userid, names for userids, every name, leaders per unit."""

from __future__ import annotations

from storage import cadres
from tests.support.ledger import build_world


def test_find_by_userid_and_names(session):
    w = build_world(session)
    assert cadres.find_by_userid(session, "xiaoli") is w.cadre("xiaoli")
    assert cadres.find_by_userid(session, "nobody") is None
    assert cadres.names_by_userid(session, ["xiaoli", "nobody", "zhenzhang"]) == {
        "xiaoli": "小李",
        "zhenzhang": "镇长",
    }
    assert sorted(cadres.all_names(session)) == sorted(c.name for c in w.cadres.values())


def test_leaders_by_unit_leaves_out_inactive_leaders_and_other_roles(session):
    w = build_world(session)
    w.cadre("waizhen").active = False
    session.flush()
    assert cadres.leaders_by_unit(session) == {
        w.unit("虹桥镇"): ["zhenzhang"],
        w.unit("一村"): ["cunzhishu"],
    }
