"""讲评 draw rows: revisions in order, a duplicate revision refused without spoiling
the unit of work, and each other unit's latest draw."""

from __future__ import annotations

import pytest

from storage import review
from storage.models import ReviewDraw
from tests.support.clock import FROZEN_NOW as NOW
from tests.support.ledger import build_world


def _draw(unit_id: int, revision: int, drawn: list[str], week: str = "2026-W48") -> ReviewDraw:
    return ReviewDraw(
        unit_id=unit_id,
        week=week,
        revision=revision,
        seed="ab" * 32,
        pool=sorted(drawn),
        drawn=drawn,
        size=len(drawn),
        created_at=NOW,
    )


def test_revisions_latest_and_a_refused_duplicate(session):
    w = build_world(session)
    village = w.unit("一村")
    review.store_draw(session, _draw(village, 0, ["xiaoli"]))
    review.store_draw(session, _draw(village, 1, ["xiaowang"]))
    with pytest.raises(review.DrawTaken):
        review.store_draw(session, _draw(village, 1, ["xiaoli"]))
    assert [d.revision for d in review.all_revisions(session, village, "2026-W48")] == [0, 1]
    latest = review.latest_draw(session, village, "2026-W48")
    assert latest is not None and latest.drawn == ["xiaowang"]
    assert review.latest_draw(session, village, "2026-W47") is None


def test_drawn_elsewhere_takes_each_other_units_latest_revision(session):
    w = build_world(session)
    review.store_draw(session, _draw(w.unit("一村"), 0, ["xiaoli"]))
    review.store_draw(session, _draw(w.unit("镇综治办"), 0, ["zongzhi"]))
    review.store_draw(session, _draw(w.unit("镇综治办"), 1, ["xiaowang"]))
    assert review.drawn_elsewhere(session, w.unit("一村"), "2026-W48") == {"xiaowang"}
    assert review.drawn_elsewhere(session, w.unit("二村"), "2026-W48") == {"xiaoli", "xiaowang"}


def test_visitors_present_are_active_visitors_not_on_leave(session):
    w = build_world(session)
    w.cadre("xiaowang").on_leave = True
    session.flush()
    units = [w.unit("一村"), w.unit("镇综治办")]
    assert review.visitors_present(session, units) == {"xiaoli", "zongzhi"}
