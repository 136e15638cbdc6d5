"""The coverage snapshot gives every unit exactly what counting live gives, as of when
it was counted, and is never read stale (storage.facts.snapshot)."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.config import LedgerConfig
from bot.ledger.clocks import overdue_thresholds
from storage.facts import snapshot
from storage.facts.counts import cell_counts
from storage.models import Assignment, Cadre, CoverageSnapshotCell, Problem, Target, Unit, Visit
from storage.problems import count_visible, count_visible_by_status
from storage.units import subtree_ids
from tests.storage.test_facts_counts import NOW, generated_town

STATUSES = ("registered", "assigned", "in_progress", "solved", "explained")
UNFINISHED = ("registered", "assigned", "in_progress")


def test_every_units_share_of_the_snapshot_equals_its_live_count(session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    campaign_id = generated_town(session, tmp_path, seed=21)
    cells = snapshot.refresh(session, campaign_id, NOW)
    session.commit()
    assert cells == session.scalar(select(func.count(CoverageSnapshotCell.id))) > 10
    covered = 0
    for unit in session.scalars(select(Unit)):
        ids = subtree_ids(session, unit.id)
        live = cell_counts(session, campaign_id, ids)
        read = snapshot.read(session, campaign_id, ids, NOW + timedelta(minutes=1))
        if not live:
            assert read is None
            continue
        assert read is not None, unit.name
        assert read == (live, NOW), unit.name
        covered += sum(c.covered for c in live)
    assert covered > 20


def test_a_refresh_replaces_the_snapshot_and_a_stale_one_is_not_read(
    session, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    campaign_id = generated_town(session, tmp_path, seed=22)
    root = session.scalar(select(Unit.id).where(Unit.parent_id.is_(None)))
    ids = subtree_ids(session, root)
    first = snapshot.refresh(session, campaign_id, NOW)
    session.commit()
    # A household covered after the count: the snapshot keeps the count of its time.
    target_id = session.scalar(
        select(Assignment.target_id)
        .where(~select(Visit.id).where(Visit.target_id == Assignment.target_id).exists())
        .limit(1)
    )
    cadre_id = session.scalar(select(Assignment.cadre_id).where(Assignment.target_id == target_id))
    session.add(
        Visit(
            campaign_id=campaign_id,
            target_id=target_id,
            cadre_id=cadre_id,
            template="yizou_erwen_sankan",
            outcome="visited",
            answers={},
            started_at=NOW,
            submitted_at=NOW,
        )
    )
    session.commit()
    before = snapshot.read(session, campaign_id, ids, NOW)
    assert before is not None
    live = cell_counts(session, campaign_id, ids)
    assert sum(c.covered for c in live) == sum(c.covered for c in before[0]) + 1

    later = NOW + timedelta(minutes=1)
    assert snapshot.refresh(session, campaign_id, later) == first  # replaced, not added to
    session.commit()
    assert session.scalar(select(func.count(CoverageSnapshotCell.id))) == first
    assert snapshot.read(session, campaign_id, ids, later) == (live, later)

    stale = later + snapshot.FRESH + timedelta(seconds=1)
    assert snapshot.read(session, campaign_id, ids, stale) is None
    assert snapshot.read(session, campaign_id + 1, ids, later) is None  # no snapshot at all


def test_every_units_problem_counts_from_the_snapshot_equal_a_leaders_live_counts(
    session, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    generated_town(session, tmp_path, seed=23)
    rng = random.Random(23)
    units = list(session.scalars(select(Unit.id)))
    for target_id, target_unit, cadre_id in session.execute(
        select(Target.id, Target.unit_id, Assignment.cadre_id).join(
            Assignment, Assignment.target_id == Target.id
        )
    ):
        for _ in range(rng.choice((0, 0, 1, 2))):
            created = NOW - timedelta(days=rng.randrange(20))
            status = rng.choice(STATUSES)
            closed = created + timedelta(days=rng.randrange(10))
            session.add(
                Problem(
                    target_id=target_id,
                    found_by_id=cadre_id,
                    unit_id=target_unit,
                    text="路灯坏了",
                    kind="困难需求",
                    category="其他",
                    category_alt="其他",
                    status=status,
                    assignee_unit_id=rng.choice([None, *units]),
                    created_at=created,
                    deadline=created + timedelta(days=rng.randrange(1, 15)),
                    closed_at=closed if status in ("solved", "explained", "followed_up") else None,
                )
            )
    session.commit()
    thresholds = overdue_thresholds(NOW, LedgerConfig())
    assert snapshot.refresh_problems(session, thresholds, NOW) > 10
    session.commit()
    later = NOW + timedelta(minutes=1)
    seen = overdue_seen = 0
    for unit_id in units:
        leader = Cadre(userid="x", name="x", unit_id=unit_id, role="leader")
        live = count_visible_by_status(session, leader, STATUSES)
        late = count_visible(session, leader, statuses=UNFINISHED, overdue=thresholds)
        counted = snapshot.read_problems(session, subtree_ids(session, unit_id), later)
        if not any(live.values()):
            assert counted is None
            continue
        assert counted is not None
        assert {s: counted.get(s, (0, 0))[0] for s in STATUSES} == live, unit_id
        assert sum(counted.get(s, (0, 0))[1] for s in UNFINISHED) == late, unit_id
        seen += sum(live.values())
        overdue_seen += late
    assert seen > 50 and overdue_seen > 5  # the comparison saw real counts
    stale = later + snapshot.FRESH
    assert snapshot.read_problems(session, units, stale) is None
