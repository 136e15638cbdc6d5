"""Chat 进度's aggregate queries give the fact layer's numbers on a generated town.

:mod:`storage.facts.counts` counts in the database what :func:`storage.facts.coverage`
and :func:`storage.facts.unit_coverage.coverage_cells` fold in Python (those stay the
definitions). A town is generated through the roster import (the demo roster: a town,
line offices, villages, grids, ~30 cadres) and given seeded random visits of every
outcome — several per household, by the assigned cadre or another, ties in time
included — then every cadre's, every unit's and every grouping's figures must agree.
"""

from __future__ import annotations

import random
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from storage import facts
from storage.facts.counts import cell_counts, coverage_counts
from storage.facts.unit_coverage import coverage_cells
from storage.models import Assignment, Cadre, Campaign, Unit, Visit
from storage.roster import CampaignSpec, commit_plan, prepare
from storage.roster.demo import build_demo_roster
from storage.units import subtree_ids
from storage.vocab import (
    OUTCOME_APPOINTMENT,
    OUTCOME_AWAY,
    OUTCOME_PHONE,
    OUTCOME_PHONE_MISSED,
    OUTCOME_VISITED,
)

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
OUTCOMES = (OUTCOME_VISITED, OUTCOME_PHONE, OUTCOME_AWAY, OUTCOME_APPOINTMENT, OUTCOME_PHONE_MISSED)


def generated_town(session, tmp_path: Path, seed: int) -> int:  # type: ignore[no-untyped-def]
    """Import a 160-target demo roster and add random visits; returns the campaign id."""
    workbook = build_demo_roster(tmp_path / "town.xlsx", TODAY, seed=seed, targets=160)
    prepared = prepare(session, workbook)
    assert prepared.ok, [str(p) for p in prepared.problems[:3]]
    commit_plan(session, prepared, CampaignSpec("走访", "yizou_erwen_sankan", 0), NOW, "test")
    campaign_id = session.scalar(select(Campaign.id))
    assignments = session.execute(
        select(Assignment.target_id, Assignment.cadre_id).where(
            Assignment.campaign_id == campaign_id
        )
    ).all()
    cadre_ids = list(session.scalars(select(Cadre.id)))
    rng = random.Random(seed)
    for target_id, cadre_id in assignments:
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            # Whole hours over three days: some visits of one target share a time.
            at = NOW - timedelta(hours=rng.randrange(72))
            session.add(
                Visit(
                    campaign_id=campaign_id,
                    target_id=target_id,
                    cadre_id=cadre_id if rng.random() < 0.8 else rng.choice(cadre_ids),
                    template="yizou_erwen_sankan",
                    outcome=rng.choice(OUTCOMES),
                    answers={},
                    started_at=at,
                    submitted_at=at,
                )
            )
    session.commit()
    return int(campaign_id)


def _plain(lines: list[facts.Coverage]) -> list[dict[str, object]]:
    return [{k: v for k, v in asdict(line).items() if k != "target_ids"} for line in lines]


def test_coverage_counts_equal_the_fact_layer_for_every_cadre_and_unit(
    session, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    campaign_id = generated_town(session, tmp_path, seed=11)
    assert session.scalar(select(Visit.id).limit(1)) is not None
    covered = 0
    for cadre in session.scalars(select(Cadre)):
        scope = facts.cadre_scope(cadre)
        expected = facts.coverage(session, campaign_id, scope)
        assert _plain(coverage_counts(session, campaign_id, scope)) == _plain(expected)
        covered += sum(line.covered for line in expected)
    assert covered > 20  # the comparison saw real coverage, not only zeros
    for unit in session.scalars(select(Unit)):
        scope = facts.scope_for_unit(session, unit)
        for group_by in (None, "target_unit", "cadre", "cadre_unit"):
            expected = facts.coverage(session, campaign_id, scope, group_by=group_by)
            got = coverage_counts(session, campaign_id, scope, group_by=group_by)
            assert _plain(got) == _plain(expected), (unit.name, group_by)


def test_cell_counts_equal_coverage_cells_for_every_unit(session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    campaign_id = generated_town(session, tmp_path, seed=12)
    seen = 0
    for unit in session.scalars(select(Unit)):
        ids = subtree_ids(session, unit.id)
        expected = coverage_cells(session, campaign_id, ids)
        assert cell_counts(session, campaign_id, ids) == expected, unit.name
        seen += sum(cell.covered for cell in expected)
    assert seen > 20
    assert cell_counts(session, campaign_id, []) == []


def test_the_jobs_county_wide_progress_equals_the_fact_layer(session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """What the reminders ask for: every cadre's progress over every unit (by
    organisation) and each cadre's uncovered targets, against :func:`facts.coverage` and
    :func:`facts.target_statuses`; and the county-wide scopes in :func:`coverage_counts`."""
    from storage.progress import cadre_progress, remaining_by_cadre

    campaign_id = generated_town(session, tmp_path, seed=13)
    units = frozenset(session.scalars(select(Unit.id)))
    org = facts.FactScope(basis=facts.ORG, unit_ids=units)
    for basis, group_by in ((facts.ORG, "cadre"), (facts.PLACE, "target_unit")):
        scope = facts.FactScope(basis=basis, unit_ids=units)
        expected = facts.coverage(session, campaign_id, scope, group_by=group_by)
        assert _plain(coverage_counts(session, campaign_id, scope, group_by=group_by)) == _plain(
            expected
        )
    per_cadre = facts.coverage(session, campaign_id, org, group_by="cadre")
    progress = cadre_progress(session, campaign_id, units)
    assert {p.cadre_id: (p.assigned, p.contacted) for p in progress} == {
        c: (
            sum(x.assigned for x in per_cadre if x.group == c),
            sum(x.covered for x in per_cadre if x.group == c),
        )
        for c in {x.group for x in per_cadre}
    }
    statuses = facts.target_statuses(session, campaign_id)
    left = remaining_by_cadre(session, campaign_id, [p.cadre_id for p in progress])
    for p in progress:
        expected_ids = {
            t
            for t, c in session.execute(
                select(Assignment.target_id, Assignment.cadre_id).where(
                    Assignment.campaign_id == campaign_id, Assignment.cadre_id == p.cadre_id
                )
            )
            if not (statuses.get(t) and statuses[t].covered)
        }
        assert {t.id for t in left[p.cadre_id]} == expected_ids
    assert sum(p.contacted for p in progress) > 20 and any(left.values())
