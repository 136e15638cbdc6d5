"""The problem repository: registering, history, scopes (who sees what), filters,
and the version check when two writers race."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.config import LedgerConfig
from bot.ledger.classify import classify
from bot.ledger.clocks import overdue_thresholds
from storage.models import Problem, ProblemEvent, Visit
from storage.problems import (
    ProblemConflict,
    RaisedItem,
    Verdict,
    apply_transition,
    create_from_visit,
    finder_of,
    get_visible,
    history,
    history_with_actors,
    list_all,
    list_visible,
    verdict_for,
)
from storage.units import unit_name
from storage.visit_queries import target_by_id
from tests.support.clock import FROZEN_NOW
from tests.support.ledger import add_problem, build_world

NOW = FROZEN_NOW


@pytest.fixture
def world(session):
    w = build_world(session)
    # 张三 (一村, assigned to 小李), 李四 (二村), 王五 (三村, another town)
    add_problem(session, w, "张三", "xiaoli", "屋顶漏水好几年了", NOW)
    add_problem(session, w, "李四", "cunzhishu", "儿子找不到工作", NOW)
    add_problem(session, w, "王五", "waizhen", "邻居占了我家的地，吵了好几回", NOW)
    session.commit()
    return w


def texts(problems):
    return sorted(p.text for p in problems)


def test_create_registers_with_both_schemes_and_history(session, world):
    p = session.scalar(select(Problem).where(Problem.text == "屋顶漏水好几年了"))
    assert (p.status, p.category, p.category_alt) == ("registered", "房屋土地", "居住环境")
    assert p.unit_id == world.unit("一村")  # the target's unit
    assert p.version == 1
    [event] = history(session, p.id)
    assert (event.action, event.to_status, event.actor_id) == (
        "register",
        "registered",
        world.cadre("xiaoli").id,
    )


def test_create_from_visit_classifies_each_item_and_keeps_template_kind(session, world):
    visit = Visit(
        campaign_id=1,
        target_id=world.targets["张三"].id,
        cadre_id=world.cadre("xiaoli").id,
        template="t",
        outcome="visited",
        started_at=NOW,
        submitted_at=NOW,
    )
    session.add(visit)
    session.flush()
    items = [
        RaisedItem("墙体有裂缝", "sankan_wall", kind="安全隐患"),
        RaisedItem("孙子学费有点紧", "erwen_difficulty"),
        RaisedItem("   "),
    ]
    made = create_from_visit(session, visit, items, classify, NOW)
    assert [p.kind for p in made] == ["安全隐患", "困难需求"]
    assert [p.source_question for p in made] == ["sankan_wall", "erwen_difficulty"]
    assert all(p.visit_id == visit.id for p in made)


def test_template_categories_win_and_the_classifier_fills_the_rest():
    asked: list[str] = []

    def spy(text):
        asked.append(text)
        return classify(text)

    both = RaisedItem("墙体有裂缝", "q", "安全隐患", "房屋土地", "居住环境")
    assert verdict_for(both, spy) == Verdict("房屋土地", "居住环境", "安全隐患", 1.0, False)
    assert asked == []  # nothing left to guess
    theme = RaisedItem("村里路灯坏了半年没人修", "q", "意见建议", category_alt="社会治安")
    v = verdict_for(theme, spy)
    assert (v.category, v.category_alt) == ("房屋土地", "社会治安")  # the cadre's theme stays
    assert asked == ["村里路灯坏了半年没人修"]


def test_visitor_sees_problems_of_targets_assigned_to_them(session, world):
    assert texts(list_visible(session, world.cadre("xiaoli"))) == ["屋顶漏水好几年了"]


def test_visitor_without_assignments_sees_nothing(session, world):
    assert list_visible(session, world.cadre("xiaowang")) == []
    p = list_visible(session, world.cadre("xiaoli"))[0]
    assert get_visible(session, world.cadre("xiaowang"), p.id) is None


def test_visitor_sees_what_they_found_even_if_not_assigned(session, world):
    add_problem(session, world, "李四", "xiaowang", "路灯坏了没人修", NOW)
    assert texts(list_visible(session, world.cadre("xiaowang"))) == ["路灯坏了没人修"]


def test_village_leader_sees_only_the_village(session, world):
    assert texts(list_visible(session, world.cadre("cunzhishu"))) == ["屋顶漏水好几年了"]


def test_town_leader_sees_the_town_subtree(session, world):
    assert texts(list_visible(session, world.cadre("zhenzhang"))) == [
        "儿子找不到工作",
        "屋顶漏水好几年了",
    ]


def test_other_town_leader_sees_only_their_town(session, world):
    assert texts(list_visible(session, world.cadre("waizhen"))) == ["邻居占了我家的地，吵了好几回"]


def test_admin_sees_their_subtree_which_is_everything_here(session, world):
    assert len(list_visible(session, world.cadre("guanli"))) == 3


def test_get_visible_refuses_out_of_scope_ids_like_missing_ones(session, world):
    other = list_visible(session, world.cadre("waizhen"))[0]
    assert get_visible(session, world.cadre("zhenzhang"), other.id) is None
    assert get_visible(session, world.cadre("zhenzhang"), 987654) is None
    assert get_visible(session, world.cadre("waizhen"), other.id) is other


def test_assignee_units_people_see_problems_assigned_to_them(session, world):
    p = session.scalar(select(Problem).where(Problem.text == "邻居占了我家的地，吵了好几回"))
    office_leader_view = world.cadre("zhenzhang")
    assert get_visible(session, office_leader_view, p.id) is None
    assert get_visible(session, world.cadre("zongzhi"), p.id) is None
    apply_transition(
        session,
        p,
        action="assign",
        to_status="assigned",
        changes={"assignee_unit_id": world.unit("镇综治办"), "deadline": NOW + timedelta(days=7)},
        note="",
        actor_id=world.cadre("waizhen").id,
        now=NOW,
    )
    # A leader over 镇综治办 and the office's own clerk now see it; the village leader does not.
    assert get_visible(session, office_leader_view, p.id) is p
    assert get_visible(session, world.cadre("zongzhi"), p.id) is p
    assert get_visible(session, world.cadre("cunzhishu"), p.id) is None
    assert get_visible(session, world.cadre("xiaowang"), p.id) is None


def test_filters_status_category_unit(session, world):
    leader = world.cadre("zhenzhang")
    assert texts(list_visible(session, leader, category="就业创业")) == ["儿子找不到工作"]
    assert texts(list_visible(session, leader, category="社会帮扶")) == ["儿子找不到工作"]
    assert list_visible(session, leader, statuses=("solved",)) == []
    assert texts(list_visible(session, leader, unit_ids={world.unit("二村")})) == ["儿子找不到工作"]


def test_overdue_is_computed_from_now(session, world):
    cfg = LedgerConfig(assign_within_days=2)
    leader = world.cadre("zhenzhang")
    assert (
        list_visible(session, leader, overdue=overdue_thresholds(NOW + timedelta(days=1), cfg))
        == []
    )
    late = list_visible(session, leader, overdue=overdue_thresholds(NOW + timedelta(days=3), cfg))
    assert len(late) == 2
    assert len(list_all(session, overdue=overdue_thresholds(NOW + timedelta(days=3), cfg))) == 3


def test_transition_records_who_when_from_to(session, world):
    p = list_visible(session, world.cadre("cunzhishu"))[0]
    later = NOW + timedelta(hours=2)
    apply_transition(
        session,
        p,
        action="solve_on_spot",
        to_status="solved",
        changes={"closed_at": later, "closing_note": "找人补好了"},
        note="找人补好了",
        actor_id=world.cadre("xiaoli").id,
        now=later,
    )
    session.commit()
    events = history(session, p.id)
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("register", "", "registered"),
        ("solve_on_spot", "registered", "solved"),
    ]
    assert events[-1].at == later and events[-1].note == "找人补好了"
    assert p.version == 2


def test_two_sessions_racing_the_loser_gets_the_winners_change(sessions, world):
    """Leader A loaded the problem; leader B changes it first; A's write must fail."""
    with sessions() as s:
        pid = s.scalar(select(Problem.id).where(Problem.text == "屋顶漏水好几年了"))
    a, b = sessions(), sessions()
    try:
        mine = a.get(Problem, pid)
        a.commit()  # A's read is done (SQLite's write lock released); the object stays loaded
        theirs = b.get(Problem, pid)
        apply_transition(
            b,
            theirs,
            action="assign",
            to_status="assigned",
            changes={
                "assignee_unit_id": world.unit("镇综治办"),
                "deadline": NOW + timedelta(days=7),
            },
            note="",
            actor_id=world.cadre("zhenzhang").id,
            now=NOW + timedelta(minutes=1),
        )
        b.commit()
        with pytest.raises(ProblemConflict) as lost:
            apply_transition(
                a,
                mine,
                action="assign",
                to_status="assigned",
                changes={
                    "assignee_unit_id": world.unit("二村"),
                    "deadline": NOW + timedelta(days=3),
                },
                note="",
                actor_id=world.cadre("cunzhishu").id,
                now=NOW + timedelta(minutes=2),
            )
        info = lost.value.latest
        assert (info.status, info.action, info.actor_name) == ("assigned", "assign", "镇长")
        # A's transaction is still usable and wrote nothing.
        a.rollback()
        assert (
            a.scalar(
                select(func.count()).select_from(ProblemEvent).where(ProblemEvent.problem_id == pid)
            )
            == 2
        )
        assert a.get(Problem, pid).assignee_unit_id == world.unit("镇综治办")
    finally:
        a.close()
        b.close()


def test_history_names_each_events_actor(session, world):
    p = list_visible(session, world.cadre("cunzhishu"))[0]
    later = NOW + timedelta(hours=2)
    apply_transition(
        session,
        p,
        action="solve_on_spot",
        to_status="solved",
        changes={"closed_at": later, "closing_note": "找人补好了"},
        note="找人补好了",
        actor_id=world.cadre("xiaoli").id,
        now=later,
    )
    session.add(ProblemEvent(problem_id=p.id, actor_id=None, action="remind", at=later))
    session.commit()
    events = history_with_actors(session, p.id)
    assert [e.id for e, _ in events] == [e.id for e in history(session, p.id)]
    assert [(e.action, actor) for e, actor in events] == [
        ("register", "小李"),  # the finder registers it
        ("solve_on_spot", "小李"),
        ("remind", ""),  # no actor: a job, not a person
    ]


def test_what_a_problem_refers_to_by_name(session, world):
    p = list_visible(session, world.cadre("cunzhishu"))[0]
    assert target_by_id(session, p.target_id).head_name == "张三"
    assert target_by_id(session, 999_999) is None
    assert unit_name(session, p.unit_id) == "一村"
    assert unit_name(session, p.assignee_unit_id) == ""  # not assigned yet
    assert unit_name(session, 999_999) == ""
    assert finder_of(session, p).userid == "xiaoli"
