"""The jobs' narrow progress queries give the figures of the county-wide ones."""

from __future__ import annotations

from storage.progress import cadre_progress, progress_of, remaining_by_cadre
from storage.units import UnitTree


def test_progress_of_a_few_cadres_matches_the_whole_county(sessions, town):
    with sessions() as s:
        tree = UnitTree.load(s)
        everyone = {p.userid: p for p in cadre_progress(s, town.campaign_id, list(tree.units))}
        assert any(p.contacted for p in everyone.values())  # the town has visits
        few = progress_of(s, town.campaign_id, [*everyone, "nobody"])
    assert few == everyone


def test_remaining_by_cadre_lists_each_cadres_uncovered_targets(sessions, town):
    with sessions() as s:
        tree = UnitTree.load(s)
        progress = cadre_progress(s, town.campaign_id, list(tree.units))
        ids = [p.cadre_id for p in progress]
        left = remaining_by_cadre(s, town.campaign_id, ids)
        assert {c: len(t) for c, t in left.items()} == {p.cadre_id: p.remaining for p in progress}
        assert any(left.values())
        for targets in left.values():
            assert targets == sorted(targets, key=lambda t: (t.unit_id, t.grid, t.id))
