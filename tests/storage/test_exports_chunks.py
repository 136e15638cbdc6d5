"""Export lookups split a county's ids into chunks and give the same states and names."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from storage.exports import ExportRequest, household_form, problem_lists, resolve_scope, summary
from storage.exports.lookup import head_names
from storage.models import Problem
from tests.support.clock import FROZEN_NOW
from tests.support.exports import request_for
from tests.support.forms import build_forms_town


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


@pytest.mark.parametrize("unit", [None, "东山村", "虹桥镇"])
def test_summary_counts_the_same_problems_in_chunks(sessions, etown, monkeypatch, unit):
    """The summary folds the fact layer's states a chunk of problems at a time."""
    with sessions() as s:
        request = request_for(s, etown.town.campaign_id, unit=unit)
        whole = summary.build(s, request)
        monkeypatch.setattr("storage.exports.summary.ID_CHUNK", 1)
        assert summary.build(s, request) == whole
        assert sum(row[9] for row in whole.rows) >= 1  # problems were counted


def test_household_forms_find_their_visits_problems_in_chunks(sessions, monkeypatch):
    """A county's visits are looked up ID_CHUNK at a time (the list failed at 100 000
    households on PostgreSQL: more than 65 535 parameters)."""
    with sessions() as s:
        forms = build_forms_town(s)
        s.commit()
        request = request_for(s, forms.etown.town.campaign_id)
        whole = household_form.build_list(s, request)
        monkeypatch.setattr("storage.exports.form_visits.ID_CHUNK", 1)
        assert household_form.build_list(s, request) == whole
        assert whole.rows and any(row[7] for row in whole.rows)  # a 困难需求 was found
