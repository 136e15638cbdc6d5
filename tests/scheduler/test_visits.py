"""Idle drafts get one reminder; an agreed 约访 reminds its cadre around the time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from scheduler import visits
from storage.models import DialogSession, Target, Visit
from tests.scheduler.conftest import content, outbox


def _draft(sessions, userid, state, idle_hours, now):  # type: ignore[no-untyped-def]
    with sessions() as s:
        s.add(
            DialogSession(
                userid=userid, state=state, data={}, updated_at=now - timedelta(hours=idle_hours)
            )
        )
        s.commit()


def test_a_draft_idle_for_twelve_hours_gets_one_reminder(sessions, sconfig, town, now):
    _draft(sessions, "zhangsan", "visit:q3", 13, now)
    _draft(sessions, "lisi", "visit:q1", 2, now)  # not idle long enough
    _draft(sessions, "sunqi", "idle", 30, now)  # nothing in progress
    with sessions() as s:
        visits.run(s, now, sconfig)
        s.commit()
    with sessions() as s:
        rows = outbox(s)
        assert [r.recipient for r in rows] == ["zhangsan"]
        assert "未完成的走访记录，已 13 小时没有继续" in content(rows[0])
        reminded = s.scalar(
            select(DialogSession.reminded_at).where(DialogSession.userid == "zhangsan")
        )
        assert reminded == now
        visits.run(s, now + timedelta(hours=5), sconfig)  # one reminder only
        s.commit()
        assert len(outbox(s)) == 1


def test_a_draft_continued_after_its_reminder_can_be_reminded_again_later(
    sessions, sconfig, town, now
):
    _draft(sessions, "zhangsan", "visit:q3", 13, now)
    with sessions() as s:
        visits.run(s, now, sconfig)
        s.execute(update(DialogSession).values(updated_at=now + timedelta(hours=1)))
        s.commit()
    with sessions() as s:
        visits.run(s, now + timedelta(hours=14), sconfig)
        s.commit()
        assert len(outbox(s)) == 2


def _appointment(sessions, at):  # type: ignore[no-untyped-def]
    with sessions() as s:
        visit = s.scalars(select(Visit).where(Visit.outcome == "appointment")).one()
        visit.appointment_at = at
        s.commit()
        return visit.id


def test_an_appointment_reminds_its_cadre_once_near_the_time(sessions, sconfig, town, now):
    _appointment(sessions, now + timedelta(hours=2))
    with sessions() as s:
        assert visits.run(s, now, sconfig).claimed == ()  # too early
    visit_id = _appointment(sessions, now + timedelta(minutes=20))
    with sessions() as s:
        result = visits.run(s, now, sconfig)
        s.commit()
        assert result.claimed == (f"appointment:{visit_id}",)
        (row,) = outbox(s)
        assert row.recipient == "zhouba"
        assert "约好 11月23日 17:20 走访何大家（西河村 3组" in content(row)
        visits.run(s, now + timedelta(minutes=10), sconfig)
        s.commit()
        assert len(outbox(s)) == 1


def test_no_appointment_reminder_once_the_household_was_visited(sessions, sconfig, town, now):
    _appointment(sessions, now + timedelta(minutes=20))
    with sessions() as s:
        appointment = s.scalars(select(Visit).where(Visit.outcome == "appointment")).one()
        target = s.get(Target, appointment.target_id)
        s.add(
            Visit(
                campaign_id=appointment.campaign_id,
                target_id=target.id,
                cadre_id=appointment.cadre_id,
                template="t",
                outcome="visited",
                answers={},
                started_at=now,
                submitted_at=now,
            )
        )
        s.commit()
    with sessions() as s:
        assert visits.run(s, now, sconfig).claimed == ()
