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

The same job counts the problems per (unit, assignee unit, status) and the overdue ones
(:func:`refresh_problems`): a leader sees a problem whose unit or assignee unit is in
their subtree (storage.problems), so a subtree's sum of these rows is exactly
``count_visible_by_status`` / the overdue ``count_visible`` at ``counted_at``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, insert, or_, select

from storage.db import Session, among
from storage.facts.counts import CHUNK, cell_rows
from storage.facts.unit_coverage import CoverageCell
from storage.models import Cadre, CoverageSnapshotCell, Problem, ProblemSnapshotRow, Unit
from storage.problems import overdue_clause

LIVE_UNITS = 30  # subtrees of up to this many units (a town's villages) count live
FRESH = timedelta(minutes=3)  # the job runs every minute: three missed runs fall back

SNAP = CoverageSnapshotCell
PSNAP = ProblemSnapshotRow


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
    were counted; None when there is none for them or it is older than :data:`FRESH`.
    Names are joined in (the same names :func:`~storage.facts.counts.named_cells` reads)."""
    ids = sorted(unit_ids)
    place, home = Unit.__table__.alias("place"), Unit.__table__.alias("home")
    query = (
        select(
            SNAP.unit_id,
            place.c.name,
            SNAP.grid,
            SNAP.cadre_id,
            Cadre.name,
            home.c.name,
            SNAP.assigned,
            SNAP.covered,
            SNAP.counted_at,
        )
        .outerjoin(place, place.c.id == SNAP.unit_id)
        .outerjoin(Cadre, Cadre.id == SNAP.cadre_id)
        .outerjoin(home, home.c.id == Cadre.unit_id)
        .where(
            SNAP.campaign_id == campaign_id,
            or_(among(session, SNAP.unit_id, ids), among(session, SNAP.cadre_unit_id, ids)),
        )
    )
    found = session.execute(query).all()
    if not found:
        return None
    counted_at = min(row[8] for row in found)
    if counted_at < now - FRESH:
        return None
    cells = [
        CoverageCell(
            unit_id=unit_id,
            unit=unit or "",
            grid=grid,
            cadre_id=cadre_id,
            cadre=cadre or "",
            cadre_unit=cadre_unit or "",
            assigned=assigned,
            covered=covered,
        )
        for unit_id, unit, grid, cadre_id, cadre, cadre_unit, assigned, covered, _ in found
    ]
    return sorted(cells, key=lambda c: (c.unit_id, c.grid, c.cadre_id)), counted_at


def refresh_problems(session: Session, thresholds: Mapping[str, datetime], now: datetime) -> int:
    """Replace the problem snapshot with the problems per (unit, assignee unit, status)
    and the overdue ones among them (``thresholds``: bot.ledger.clocks.overdue_thresholds
    at ``now``); returns the rows written."""
    overdue = func.sum(case((overdue_clause(thresholds), 1), else_=0))
    keys = (Problem.unit_id, Problem.assignee_unit_id, Problem.status)
    rows = session.execute(select(*keys, func.count(), overdue).group_by(*keys)).all()
    session.execute(delete(PSNAP))
    values = [
        {
            "unit_id": unit_id,
            "assignee_unit_id": assignee,
            "status": status,
            "problems": int(n),
            "overdue": int(late or 0),
            "counted_at": now,
        }
        for unit_id, assignee, status, n, late in rows
    ]
    for start in range(0, len(values), CHUNK // 10):
        session.execute(insert(PSNAP), values[start : start + CHUNK // 10])
    return len(values)


def read_problems(
    session: Session, unit_ids: Collection[int], now: datetime
) -> dict[str, tuple[int, int]] | None:
    """status -> (problems, overdue) that a leader over ``unit_ids`` sees (a problem's
    unit or assignee unit in them: storage.problems' rule), as counted at most
    :data:`FRESH` ago; None when there is no fresh count for them."""
    ids = sorted(unit_ids)
    query = (
        select(
            PSNAP.status,
            func.sum(PSNAP.problems),
            func.sum(PSNAP.overdue),
            func.min(PSNAP.counted_at),
        )
        .where(or_(among(session, PSNAP.unit_id, ids), among(session, PSNAP.assignee_unit_id, ids)))
        .group_by(PSNAP.status)
    )
    found = session.execute(query).all()
    if not found or min(row[3] for row in found) < now - FRESH:
        return None
    return {status: (int(n), int(late)) for status, n, late, _ in found}
