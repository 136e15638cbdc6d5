"""The visit jobs: 约访 and idle-draft reminders, once each, on the dialog's real state.

The first tests drive the real webhook and dialog (so the stored state is exactly what
the dialog writes); the rest use the scheduler's small town.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.app import create_app
from bot.runtime import Runtime
from scheduler import jobs_visits, registry
from scheduler.runner import execute
from storage.models import DialogSession, OutboxMessage, Visit
from tests.support.outbox import content, outbox
from tests.support.roster import CADRE, seed
from tests.support.wecom import WecomTestClient


def _texts(runtime: Runtime) -> list[tuple[str, str]]:
    with runtime.unit_of_work() as s:
        return [(r.recipient, content(r)) for r in outbox(s)]


def _run(runtime: Runtime, at):  # type: ignore[no-untyped-def]
    with runtime.unit_of_work() as s:
        return jobs_visits.run(s, at, runtime.config)


def test_appointment_made_in_the_dialog_is_reminded_once_near_its_time(runtime: Runtime) -> None:
    seed(runtime)
    wc = WecomTestClient.for_app(create_app(runtime=runtime))
    wc.say(CADRE, "走访")
    wc.say(CADRE, "陈三")
    wc.say(CADRE, "约访")
    assert "约访 11-23 20:00" in wc.say(CADRE, "今晚8点")  # 12:00 UTC
    now = runtime.clock()
    before = len(_texts(runtime))
    assert _run(runtime, now).claimed == ()  # 3 hours ahead: not yet
    assert len(_run(runtime, now + timedelta(hours=2, minutes=40)).claimed) == 1
    assert _run(runtime, now + timedelta(hours=2, minutes=50)).claimed == ()  # once
    (reminder,) = _texts(runtime)[before:]
    assert reminder[0] == CADRE and "约好 11月23日 20:00 走访陈三家" in reminder[1]


def test_a_draft_left_in_the_dialog_gets_one_reminder_naming_the_household(
    runtime: Runtime,
) -> None:
    seed(runtime)
    wc = WecomTestClient.for_app(create_app(runtime=runtime))
    wc.say(CADRE, "走访")
    wc.say(CADRE, "王大")  # a draft now: the at-home question
    now = runtime.clock()
    before = len(_texts(runtime))
    assert _run(runtime, now + timedelta(hours=11)).claimed == ()
    assert len(_run(runtime, now + timedelta(hours=12, minutes=5)).claimed) == 1
    assert _run(runtime, now + timedelta(hours=20)).claimed == ()
    (reminder,) = _texts(runtime)[before:]
    assert reminder[0] == CADRE
    assert "未完成的走访记录（王大），已 12 小时没有继续" in reminder[1]


def test_listing_households_is_not_a_draft(runtime: Runtime) -> None:
    seed(runtime)
    wc = WecomTestClient.for_app(create_app(runtime=runtime))
    wc.say(CADRE, "走访")  # pick_target: nothing to lose yet
    with runtime.unit_of_work() as s:
        assert s.scalar(select(DialogSession.state).where(DialogSession.userid == CADRE)) == (
            "pick_target"
        )
    assert _run(runtime, runtime.clock() + timedelta(days=1)).claimed == ()


def _draft(sessions, userid, state, idle_hours, now):  # type: ignore[no-untyped-def]
    with sessions() as s:
        s.add(
            DialogSession(
                userid=userid,
                state=state,
                data={"target": {"id": 1, "name": "刘大"}},
                updated_at=now - timedelta(hours=idle_hours),
            )
        )
        s.commit()


def test_only_drafts_idle_long_enough_are_reminded(sessions, sconfig, town, now):
    _draft(sessions, "zhangsan", "question:q3", 13, now)
    _draft(sessions, "lisi", "question:q1", 2, now)  # not idle long enough
    _draft(sessions, "sunqi", "idle", 30, now)  # nothing in progress
    _draft(sessions, "zhouba", "amend_pick", 30, now)  # choosing a record: no draft
    with sessions() as s:
        jobs_visits.run(s, now, sconfig)
        s.commit()
    with sessions() as s:
        rows = outbox(s)
        assert [r.recipient for r in rows] == ["zhangsan"]
        assert "未完成的走访记录（刘大），已 13 小时没有继续" in content(rows[0])
        reminded = s.scalar(
            select(DialogSession.reminded_at).where(DialogSession.userid == "zhangsan")
        )
        assert reminded == now


def test_a_draft_continued_after_its_reminder_can_be_reminded_again_later(
    sessions, sconfig, town, now
):
    _draft(sessions, "zhangsan", "question:q3", 13, now)
    with sessions() as s:
        jobs_visits.run(s, now, sconfig)
        s.execute(update(DialogSession).values(updated_at=now + timedelta(hours=1)))
        s.commit()
    with sessions() as s:
        jobs_visits.run(s, now + timedelta(hours=14), sconfig)
        s.commit()
        assert len(outbox(s)) == 2


def _appointment(sessions, at):  # type: ignore[no-untyped-def]
    with sessions() as s:
        visit = s.scalars(select(Visit).where(Visit.outcome == "appointment")).one()
        visit.appointment_at = at
        s.commit()
        return visit.id


def test_an_appointment_reminder_names_the_place_in_local_time(sessions, sconfig, town, now):
    visit_id = _appointment(sessions, now + timedelta(minutes=20))
    with sessions() as s:
        result = jobs_visits.run(s, now, sconfig)
        s.commit()
        assert result.claimed == (f"appointment:{visit_id}",)
        (row,) = outbox(s)
        assert row.recipient == "zhouba"
        assert "约好 11月23日 17:20 走访何大家（西河村 3组" in content(row)


def test_no_appointment_reminder_once_the_household_was_visited(sessions, sconfig, town, now):
    _appointment(sessions, now + timedelta(minutes=20))
    with sessions() as s:
        appointment = s.scalars(select(Visit).where(Visit.outcome == "appointment")).one()
        same = ("campaign_id", "target_id", "cadre_id", "template", "answers")
        kept = {name: getattr(appointment, name) for name in same}
        s.add(Visit(**kept, outcome="visited", started_at=now, submitted_at=now))  # went there
        s.commit()
    with sessions() as s:
        assert jobs_visits.run(s, now, sconfig).claimed == ()
        assert s.scalars(select(OutboxMessage)).all() == []


def test_the_media_job_runs_through_the_registry_with_the_runtime(runtime: Runtime) -> None:
    spec = registry.lookup(registry.build(runtime.config), "visit-media")
    assert spec is not None and spec.own_transactions
    result = execute(runtime, spec, runtime.clock())
    assert result.job == "visit_media" and result.notes == ("0 photo(s) downloaded",)
