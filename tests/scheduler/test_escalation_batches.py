"""Escalation at county scale: batches with their own commits, cheap re-runs, next day clean."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, func, insert, select

from bot.runtime import Runtime
from scheduler import escalation
from storage.models import Cadre, JobRun, OutboxMessage, Problem
from tests.support.outbox import content, outbox

EXTRA = 250  # solved problems due for 回访, found by 张三


@pytest.fixture
def crowded(sessions, town, now):  # type: ignore[no-untyped-def]
    """The town plus EXTRA problems solved 13 days ago and not followed up."""
    with sessions() as s:
        road = s.get(Problem, town.problem_ids["road"])
        finder = s.get(Cadre, road.found_by_id)
        assert finder.userid == "zhangsan"
        rows = [
            {
                "target_id": road.target_id,
                "found_by_id": road.found_by_id,
                "unit_id": road.unit_id,
                "text": f"第{n}个已办结待回访的问题",
                "kind": road.kind,
                "category": road.category,
                "category_alt": road.category_alt,
                "status": "solved",
                "created_at": now - timedelta(days=20),
                "closed_at": now - timedelta(days=13),
                "version": 1,
            }
            for n in range(EXTRA)
        ]
        s.execute(insert(Problem), rows)
        s.commit()
    return town


def _count_statements(engine):  # type: ignore[no-untyped-def]
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda c, cur, st, *a: seen.append(st))
    return seen


def test_batches_commit_as_they_go_and_a_rerun_the_same_day_is_cheap(
    sessions, sconfig, crowded, now, monkeypatch
):
    monkeypatch.setattr(escalation, "BATCH", 1)  # every leader unit, every cadre a batch
    runtime = Runtime.from_config(sconfig, clock=lambda: now)
    try:
        first = escalation.run_batched(runtime, now)
        with sessions() as s:
            keys = set(s.scalars(select(JobRun.run_key).where(JobRun.job == "escalation")))
            rows = {r.recipient: content(r) for r in outbox(s)}
        assert f"escalation:overdue:{crowded.east_id}:2026-11-23" in first.claimed
        followups = {k for k in first.claimed if k.startswith("escalation:followup:")}
        assert len(followups) == EXTRA + 1 and followups <= keys
        assert f"有 {EXTRA + 1} 个" not in rows["zhangsan"]  # a follow-up lists, capped:
        assert "……等共 251 项" in rows["zhangsan"]
        assert first.messages == 2

        seen = _count_statements(runtime.engine)
        again = escalation.run_batched(runtime, now + timedelta(hours=3))
        assert again.claimed == () and again.messages == 0
        assert f"escalation:overdue:{crowded.east_id}:2026-11-23" in again.skipped
        # a handful of reads and one claim per leader unit, nothing per problem
        assert len(seen) < 25, seen
        assert not [st for st in seen if "SAVEPOINT" in st.upper()]

        tomorrow = escalation.run_batched(runtime, now + timedelta(days=1))
        assert tomorrow.claimed == (f"escalation:overdue:{crowded.east_id}:2026-11-24",)
        with sessions() as s:
            assert s.scalar(select(func.count(OutboxMessage.id))) == 3
            assert [r.recipient for r in outbox(s)][-1] == "zhaozs"
    finally:
        runtime.close()


def test_a_failed_batch_leaves_the_earlier_ones_done_and_the_rerun_finishes(
    sessions, sconfig, crowded, now, monkeypatch
):
    monkeypatch.setattr(escalation, "BATCH", 1)
    runtime = Runtime.from_config(sconfig, clock=lambda: now)
    real = escalation.send_personal
    calls = {"n": 0}

    def flaky(session, spreader, userids, payload, at):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:  # the follow-up batch fails after the overdue one committed
            raise RuntimeError("database went away")
        return real(session, spreader, userids, payload, at)

    try:
        monkeypatch.setattr(escalation, "send_personal", flaky)
        with pytest.raises(RuntimeError):
            escalation.run_batched(runtime, now)
        with sessions() as s:
            keys = set(s.scalars(select(JobRun.run_key)))
            assert f"escalation:overdue:{crowded.east_id}:2026-11-23" in keys
            assert not [k for k in keys if k.startswith("escalation:followup:")]
            assert len(outbox(s)) == 1
        monkeypatch.setattr(escalation, "send_personal", real)
        rerun = escalation.run_batched(runtime, now)
        assert len([k for k in rerun.claimed if k.startswith("escalation:followup:")]) == EXTRA + 1
        assert f"escalation:overdue:{crowded.east_id}:2026-11-23" in rerun.skipped
        with sessions() as s:
            assert len(outbox(s)) == 2
    finally:
        runtime.close()
