"""The workflow state machine: every action from every status, and who may do it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import LedgerConfig
from bot.ledger.workflow import (
    TRANSITIONS,
    Actor,
    LedgerError,
    ProblemSnapshot,
    Request,
    decide,
)
from storage.vocab import PROBLEM_STATUS
from tests.support.clock import FROZEN_NOW

CFG = LedgerConfig()
NOW = FROZEN_NOW
VILLAGE, TOWN, OFFICE, OTHER_TOWN = 3, 2, 4, 9
FINDER = Actor(cadre_id=10, role="visitor", scope=frozenset({VILLAGE}), unit_id=VILLAGE)
LEADER = Actor(cadre_id=20, role="leader", scope=frozenset({TOWN, VILLAGE, OFFICE}), unit_id=TOWN)
OFFICE_CLERK = Actor(cadre_id=30, role="visitor", scope=frozenset({OFFICE}), unit_id=OFFICE)
STRANGER = Actor(cadre_id=40, role="leader", scope=frozenset({OTHER_TOWN}), unit_id=OTHER_TOWN)


def problem(status: str, **kw) -> ProblemSnapshot:
    assigned = status in ("assigned", "in_progress", "solved", "explained", "followed_up")
    base = dict(
        id=12,
        status=status,
        unit_id=VILLAGE,
        found_by_id=FINDER.cadre_id,
        assignee_unit_id=OFFICE if assigned else None,
        assigned_by_id=LEADER.cadre_id if assigned else None,
        deadline=NOW + timedelta(days=7) if assigned else None,
    )
    base.update(kw)
    return ProblemSnapshot(**base)


# The legal request and the right actor for each action.
LEGAL = {
    "assign": (LEADER, Request("assign", assignee_unit_id=OFFICE, deadline_days=5)),
    "start": (OFFICE_CLERK, Request("start")),
    "solve": (LEADER, Request("solve", note="已修好")),
    "explain": (LEADER, Request("explain", note="政策不允许，已解释")),
    "solve_on_spot": (FINDER, Request("solve_on_spot", note="当场帮忙联系了电工")),
    "explain_on_spot": (FINDER, Request("explain_on_spot", note="当场讲了政策")),
    "follow_up": (FINDER, Request("follow_up", satisfaction="满意")),
    "extend": (LEADER, Request("extend", extend_days=7, note="等市里批复")),
}
EXPECTED = {
    ("assign", "registered"): "assigned",
    ("start", "assigned"): "in_progress",
    ("solve", "assigned"): "solved",
    ("solve", "in_progress"): "solved",
    ("explain", "assigned"): "explained",
    ("explain", "in_progress"): "explained",
    ("solve_on_spot", "registered"): "solved",
    ("explain_on_spot", "registered"): "explained",
    ("follow_up", "solved"): "followed_up",
    ("follow_up", "explained"): "followed_up",
    ("extend", "assigned"): "assigned",
    ("extend", "in_progress"): "in_progress",
}
ALL_CASES = [(a, s) for a in TRANSITIONS for s in PROBLEM_STATUS]


def test_table_matches_the_transitions():
    legal = {(a, s) for a, (sources, _) in TRANSITIONS.items() for s in sources}
    assert legal == set(EXPECTED)


@pytest.mark.parametrize(("action", "status"), ALL_CASES, ids=[f"{a}-{s}" for a, s in ALL_CASES])
def test_every_action_from_every_status(action, status):
    actor, req = LEGAL[action]
    p = problem(status)
    if (action, status) in EXPECTED:
        d = decide(p, actor, req, NOW, CFG)
        assert (d.from_status, d.to_status) == (status, EXPECTED[(action, status)])
    else:
        with pytest.raises(LedgerError) as err:
            decide(p, actor, req, NOW, CFG)
        assert f"当前是「{PROBLEM_STATUS[status]}」" in err.value.message
        assert "不能" in err.value.message


def test_assign_sets_unit_deadline_and_assigner():
    d = decide(problem("registered"), *LEGAL["assign"], NOW, CFG)
    assert d.changes["assignee_unit_id"] == OFFICE
    assert d.changes["assigned_by_id"] == LEADER.cadre_id
    assert d.changes["deadline"] == NOW + timedelta(days=5)


@pytest.mark.parametrize(("level", "days"), [("town", 7), ("linked", 15), ("city", 30)])
def test_assign_without_days_uses_the_responsibility_default(level, days):
    req = Request("assign", assignee_unit_id=OFFICE)
    d = decide(problem("registered", responsibility=level), LEADER, req, NOW, CFG)
    assert d.changes["deadline"] == NOW + timedelta(days=days)


@pytest.mark.parametrize(
    ("action", "actor", "needle"),
    [
        ("assign", FINDER, "只有负责人"),
        ("assign", STRANGER, "不在您单位的范围内"),
        ("solve", OFFICE_CLERK, "只有负责人"),
        ("solve", STRANGER, "不在您单位的范围内"),
        ("explain", FINDER, "只有负责人"),
        ("start", STRANGER, "不在您单位的范围内"),
        ("start", FINDER, "只有负责人"),
        ("solve_on_spot", LEADER, "只有发现这个问题的走访干部"),
        ("follow_up", LEADER, "只有发现这个问题的走访干部"),
        ("extend", STRANGER, "只有交办这个问题的负责人"),
    ],
)
def test_who_may_do_what(action, actor, needle):
    status = {
        "assign": "registered",
        "solve_on_spot": "registered",
        "follow_up": "solved",
        "start": "assigned",
    }.get(action, "in_progress")
    with pytest.raises(LedgerError, match=needle):
        decide(problem(status), actor, LEGAL[action][1], NOW, CFG)


def test_the_assignee_units_leader_may_close():
    office_leader = Actor(cadre_id=50, role="leader", scope=frozenset({OFFICE}), unit_id=OFFICE)
    d = decide(problem("in_progress"), office_leader, Request("solve", note="已修"), NOW, CFG)
    assert d.to_status == "solved"


@pytest.mark.parametrize(
    ("req", "needle"),
    [
        (Request("assign"), "承办单位"),
        (Request("assign", assignee_unit_id=OFFICE, deadline_days=0), "1到365天"),
        (Request("solve"), "写一句办理情况"),
        (Request("explain", note="  "), "写一句办理情况"),
        (Request("follow_up"), "满意 / 基本满意 / 不满意"),
        (Request("follow_up", satisfaction="还行"), "满意 / 基本满意 / 不满意"),
        (Request("extend", extend_days=7), "原因"),
        (Request("extend", note="等批复"), "天数"),
        (Request("fly"), "不认识的操作"),
    ],
)
def test_incomplete_requests_are_refused(req, needle):
    status = {"assign": "registered", "follow_up": "solved"}.get(req.action, "in_progress")
    actor = FINDER if req.action == "follow_up" else LEADER
    with pytest.raises(LedgerError, match=needle):
        decide(problem(status), actor, req, NOW, CFG)


def test_extend_once_only():
    req = LEGAL["extend"][1]
    d = decide(problem("assigned"), LEADER, req, NOW, CFG)
    assert d.changes["deadline"] == NOW + timedelta(days=14)
    assert d.changes["extended"] is True
    with pytest.raises(LedgerError, match="已经延期过一次"):
        decide(problem("assigned", extended=True), LEADER, req, NOW, CFG)


def test_another_leader_in_scope_may_not_extend():
    other = Actor(cadre_id=21, role="leader", scope=LEADER.scope, unit_id=TOWN)
    with pytest.raises(LedgerError, match="只有交办这个问题的负责人"):
        decide(problem("assigned"), other, LEGAL["extend"][1], NOW, CFG)


@pytest.mark.parametrize("satisfaction", ["满意", "基本满意"])
def test_satisfied_follow_up_ends_it(satisfaction):
    d = decide(problem("solved"), FINDER, Request("follow_up", satisfaction=satisfaction), NOW, CFG)
    assert d.to_status == "followed_up"
    assert d.changes["satisfaction"] == satisfaction


def test_dissatisfied_reopens_with_the_same_unit_and_a_fresh_deadline():
    d = decide(problem("solved"), FINDER, Request("follow_up", satisfaction="不满意"), NOW, CFG)
    assert d.to_status == "in_progress"
    assert d.changes["deadline"] == NOW + timedelta(days=CFG.resolve_days_town)
    assert d.changes["extended"] is False
    assert "assignee_unit_id" not in d.changes  # stays with the unit that handled it


def test_dissatisfied_after_on_the_spot_goes_back_to_registered():
    p = problem("solved", assignee_unit_id=None, assigned_by_id=None, deadline=None)
    d = decide(p, FINDER, Request("follow_up", satisfaction="不满意"), NOW, CFG)
    assert d.to_status == "registered"
