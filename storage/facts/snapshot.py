"""The coverage snapshot: a campaign's coverage cells counted once a minute, for the
进度 of large units.

A leader's 进度 counts every household of the unit's subtree (:func:`storage.facts.counts.cell_counts`):
a few milliseconds for a village, 1-2 s for a county of 100 000 households on PostgreSQL.
The scheduler's ``coverage_snapshot`` job (every minute) stores the whole campaign's cells
(:func:`refresh`); the 进度 of a unit whose subtree holds more than :data:`LIVE_UNITS`
units reads its share of them (:func:`read`) when they are at most :data:`FRESH` old, and
says as of when. The cells are the very rows :func:`~storage.facts.counts.cell_rows`
counts (every unit in scope), so a subtree's share equals :func:`cell_counts` for that
subtree at ``counted_at``: a cell belongs to a scope by its place or its cadre's unit.
Without a fresh snapshot (no scheduler running) the 进度 counts live, as before.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, or_, select

from storage.db import Session
from storage.facts.counts import CHUNK, cell_rows, named_cells
from storage.facts.unit_coverage import CoverageCell
from storage.models import Cadre, CoverageSnapshotCell, Unit

LIVE_UNITS = 30  # subtrees of up to this many units (a town's villages) count live
FRESH = timedelta(minutes=3)  # the job runs every minute: three missed runs fall back

SNAP = CoverageSnapshotCell


def refresh(session: Session, campaign_id: int, now: datetime) -> int:
    """Replace the campaign's snapshot with its cells counted now; returns their number.

    One transaction: readers see the previous snapshot until it commits."""
    rows = cell_rows(session, campaign_id, session.scalars(select(Unit.id)).all())
    cadre_ids = sorted({row[2] for row in rows})
    homes: dict[int, int] = {}
    for start in range(0, len(cadre_ids), CHUNK):
        chunk = cadre_ids[start : start + CHUNK]
        query = select(Cadre.id, Cadre.unit_id).where(Cadre.id.in_(chunk))
        homes.update({cadre_id: unit_id for cadre_id, unit_id in session.execute(query)})
    session.execute(delete(SNAP).where(SNAP.campaign_id == campaign_id))
    values = [
        {
            "campaign_id": campaign_id,
            "unit_id": unit_id,
            "grid": grid,
            "cadre_id": cadre_id,
            "cadre_unit_id": homes[cadre_id],
            "assigned": assigned,
            "covered": covered,
            "counted_at": now,
        }
        for unit_id, grid, cadre_id, assigned, covered in rows
    ]
    for start in range(0, len(values), CHUNK // 10):
        session.execute(insert(SNAP), values[start : start + CHUNK // 10])
    return len(values)


def read(
    session: Session, campaign_id: int, unit_ids: Collection[int], now: datetime
) -> tuple[list[CoverageCell], datetime] | None:
    """The snapshot's cells of ``unit_ids`` (by place or by the cadre's unit) and when they
    were counted; None when there is none for them or it is older than :data:`FRESH`."""
    ids = sorted(unit_ids)
    query = select(
        SNAP.unit_id, SNAP.grid, SNAP.cadre_id, SNAP.assigned, SNAP.covered, SNAP.counted_at
    ).where(
        SNAP.campaign_id == campaign_id,
        or_(SNAP.unit_id.in_(ids), SNAP.cadre_unit_id.in_(ids)),
    )
    found = session.execute(query).all()
    if not found:
        return None
    counted_at = min(row[5] for row in found)
    if counted_at < now - FRESH:
        return None
    rows = [(u, g, c, a, v) for u, g, c, a, v, _ in found]
    return named_cells(session, rows), counted_at
