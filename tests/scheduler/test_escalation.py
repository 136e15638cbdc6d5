"""Escalation: overdue problems reach the assignee unit's leaders; missing 回访 reminds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from scheduler import escalation
from storage.models import Cadre, Problem
from tests.support.outbox import content, outbox


def test_overdue_problem_goes_to_the_assignee_units_leader(sessions, sconfig, town, now):
    with sessions() as s:
        result = escalation.run(s, now, sconfig)
        s.commit()
        rows = {r.recipient: content(r) for r in outbox(s)}
    slope = town.problem_ids["slope"]
    assert f"escalation:overdue:{town.east_id}:2026-11-23" in result.claimed
    assert "东山村 有 1 个交办问题已超过办理期限" in rows["zhaozs"]
    assert f"#{slope}【房屋土地】" in rows["zhaozs"] and "（逾期 3 天）" in rows["zhaozs"]
    assert "wangsj" not in rows  # the town leader is not the assignee unit's leader


def test_solved_without_followup_after_seven_days_reminds_the_finder(sessions, sconfig, town, now):
    with sessions() as s:
        escalation.run(s, now, sconfig)
        s.commit()
        rows = {r.recipient: content(r) for r in outbox(s)}
    road = town.problem_ids["road"]
    assert f"#{road} 村道路灯损坏多处" in rows["zhangsan"] and "办结已 13 天" in rows["zhangsan"]
    assert "sunqi" not in rows  # 孙七's problem was solved today: not yet due


def test_followups_remind_once_and_overdue_once_a_day(sessions, sconfig, town, now):
    with sessions() as s:
        escalation.run(s, now, sconfig)
        s.commit()
    with sessions() as s:
        again = escalation.run(s, now + timedelta(hours=3), sconfig)
        s.commit()
        assert again.claimed == () and len(outbox(s)) == 2
    with sessions() as s:
        tomorrow = escalation.run(s, now + timedelta(days=1), sconfig)
        s.commit()
        assert tomorrow.claimed == (f"escalation:overdue:{town.east_id}:2026-11-24",)
        assert [r.recipient for r in outbox(s)][-1] == "zhaozs"


def test_a_unit_without_leader_escalates_to_the_nearest_leader_above(sessions, sconfig, town, now):
    from sqlalchemy import update

    from storage.models import Problem

    with sessions() as s:
        s.execute(
            update(Problem)
            .where(Problem.id == town.problem_ids["slope"])
            .values(assignee_unit_id=town.west_id, version=Problem.version + 1)
        )
        s.commit()
    with sessions() as s:
        escalation.run(s, now, sconfig)
        s.commit()
        assert "wangsj" in {r.recipient for r in outbox(s)}


def test_an_inactive_finder_is_reminded_once_reactivated(sessions, sconfig, town, now):
    road = town.problem_ids["road"]
    with sessions() as s:
        s.execute(update(Cadre).where(Cadre.userid == "zhangsan").values(active=False))
        first = escalation.run(s, now, sconfig)
        s.commit()
        assert "zhangsan" not in [r.recipient for r in outbox(s)]
    assert f"escalation:followup:{road}" not in first.claimed
    assert "follow-up for inactive cadre zhangsan not sent (1 problem(s))" in first.notes
    with sessions() as s:
        s.execute(update(Cadre).where(Cadre.userid == "zhangsan").values(active=True))
        later = escalation.run(s, now + timedelta(days=1), sconfig)
        s.commit()
        rows = {r.recipient: content(r) for r in outbox(s)}
    assert f"escalation:followup:{road}" in later.claimed
    assert f"#{road} 村道路灯损坏多处" in rows["zhangsan"]


def test_a_problem_never_assigned_past_its_assign_deadline_reaches_its_units_leaders(
    sessions, sconfig, town, now
):
    with sessions() as s:
        # registered four days ago in 西河村 and never assigned (交办 due after 2 days)
        s.execute(
            update(Problem)
            .where(Problem.id == town.problem_ids["medical"])
            .values(created_at=datetime(2026, 11, 19, 9, 0, tzinfo=UTC))
        )
        s.commit()
    with sessions() as s:
        result = escalation.run(s, now, sconfig)
        s.commit()
        rows = [(r.recipient, content(r)) for r in outbox(s)]
    medical = town.problem_ids["medical"]
    assert any(k.startswith("escalation:unassigned:") for k in result.claimed)
    [(recipient, text)] = [(r, t) for r, t in rows if "待交办" in t]
    assert recipient == "wangsj"  # 西河村 has no leader: the town's
    assert "虹桥镇 有 1 个问题登记超过 2 天仍未交办" in text
    assert f"#{medical}【医疗卫生】" in text and "（超期 2 天）" in text
    with sessions() as s:  # once a day
        again = escalation.run(s, now, sconfig)
        assert not any(k.startswith("escalation:unassigned:") for k in again.claimed)


def test_a_fresh_registered_problem_is_not_escalated(sessions, sconfig, town, now):
    with sessions() as s:
        result = escalation.run(s, now, sconfig)
        s.commit()
        assert not any("待交办" in content(r) for r in outbox(s))
    assert not any(k.startswith("escalation:unassigned:") for k in result.claimed)
