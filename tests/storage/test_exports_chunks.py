"""Export lookups split a county's ids into chunks and give the same states and names."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from storage.exports import ExportRequest, problem_lists, resolve_scope
from storage.exports.lookup import head_names
from storage.models import Problem
from tests.support.clock import FROZEN_NOW


def test_problem_states_and_targets_are_the_same_in_chunks(sessions, town, monkeypatch):
    with sessions() as s:
        request = ExportRequest(
            campaign_id=town.campaign_id,
            scope=resolve_scope(s, town.campaign_id, None, None),
            tz=ZoneInfo("Asia/Shanghai"),
            now=FROZEN_NOW,
        )
        problems = problem_lists.problems_in_period(s, request)
        assert len(problems) >= 3
        whole = problem_lists.status_as_of(s, request, problems)
        ids = {p.target_id for p in problems}
        heads = head_names(s, ids)
        monkeypatch.setattr(problem_lists, "ID_CHUNK", 1)
        monkeypatch.setattr("storage.exports.lookup.ID_CHUNK", 1)
        assert problem_lists.status_as_of(s, request, problems) == whole
        assert head_names(s, ids) == heads and len(heads) == len(ids)
        assert set(whole) == {p.id for p in problems} and s.get(Problem, min(whole))
