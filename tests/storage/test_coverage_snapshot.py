"""The coverage snapshot gives every unit exactly what counting live gives, as of when
it was counted, and is never read stale (storage.facts.snapshot)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from storage.facts import snapshot
from storage.facts.counts import cell_counts
from storage.models import Assignment, CoverageSnapshotCell, Unit, Visit
from storage.units import subtree_ids
from tests.storage.test_facts_counts import NOW, generated_town


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
