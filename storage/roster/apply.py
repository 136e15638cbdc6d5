"""Write a :class:`Plan` with bulk statements (no per-row SELECT). Never commits.

In: the session (the caller's unit of work), the plan, the snapshot it was made
from, the settings for a campaign to create when none is active, and an optional
``progress(n)`` callback told how many rows each batch wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import delete, insert, text, update
from sqlalchemy.orm import Session

from storage import vocab
from storage.campaigns import get_or_create_active_campaign
from storage.models import Assignment, Cadre, Phase, Target, Unit
from storage.roster.plan import Plan
from storage.roster.rows import TargetRow
from storage.roster.snapshot import Snapshot

BATCH = 1000
Progress = Callable[[int], None]
T = TypeVar("T")


@dataclass(frozen=True)
class CampaignSpec:
    """The ``[campaign]`` settings used when no campaign is active yet."""

    name: str
    template: str
    quota: int = 0


def _batches(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def apply_plan(
    session: Session,
    plan: Plan,
    snap: Snapshot,
    campaign: CampaignSpec,
    progress: Progress | None = None,
) -> None:
    tick = progress or (lambda n: None)
    unit_ids = {name: u.id for name, u in snap.units.items()}
    _write_units(session, plan, unit_ids, tick)
    cadre_ids = {userid: c.id for userid, c in snap.cadres.items()}
    _write_cadres(session, plan, unit_ids, cadre_ids, tick)
    new_target_ids = _write_targets(session, plan, unit_ids, tick)
    if plan.assignments_new or plan.assignments_changed or plan.phases:
        campaign_id = snap.campaign_id
        if campaign_id is None:
            campaign_id = get_or_create_active_campaign(
                session, campaign.name, campaign.template, campaign.quota
            ).id
        _write_assignments(session, plan, campaign_id, cadre_ids, new_target_ids, tick)
        if plan.phases is not None:
            _write_phases(session, plan, campaign_id, tick)


def _insert_with_ids(
    session: Session, model: type[Cadre | Target], rows: list[dict[str, Any]]
) -> list[int]:
    """Insert ``rows``; return their new ids, in order.

    On PostgreSQL the ids are drawn from the table's sequence first and the rows go
    without RETURNING: psycopg then pipelines one short statement. With RETURNING,
    SQLAlchemy sends ``INSERT … VALUES (…), (…) … RETURNING`` a page at a time, a
    statement of ~10 000 placeholders that psycopg re-parses in Python for every page
    (cProfile, a county's first import: 33 of 57 s in ``psycopg._queries``).
    """
    if session.get_bind().dialect.name != "postgresql":
        return list(
            session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows)
        )
    ids = list(
        session.scalars(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": model.__tablename__, "n": len(rows)},
        )
    )
    session.execute(insert(model), [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
    return ids


def _write_units(session: Session, plan: Plan, ids: dict[str, int], tick: Progress) -> None:
    batch: list[Any] = []

    def flush() -> None:
        if not batch:
            return
        rows = [
            {"name": u.name, "kind": u.kind, "parent_id": ids.get(u.parent) if u.parent else None}
            for u in batch
        ]
        result = session.execute(
            insert(Unit).returning(Unit.id, Unit.name, sort_by_parameter_order=True), rows
        )
        ids.update({name: uid for uid, name in result})
        tick(len(batch))
        batch.clear()

    pending = {u.name for u in batch}
    for unit in plan.units_new:
        if unit.parent and unit.parent not in ids and unit.parent in pending:
            flush()
            pending.clear()
        batch.append(unit)
        pending.add(unit.name)
    flush()
    if plan.units_changed:
        session.execute(
            update(Unit),
            [
                {"id": uid, "kind": u.kind, "parent_id": ids.get(u.parent) if u.parent else None}
                for uid, u in plan.units_changed
            ],
        )
        tick(len(plan.units_changed))


def _write_cadres(
    session: Session, plan: Plan, unit_ids: dict[str, int], ids: dict[str, int], tick: Progress
) -> None:
    def values(c: Any) -> dict[str, Any]:
        return {"name": c.name, "unit_id": unit_ids[c.unit], "role": c.role, "phone": c.phone}

    for chunk in _batches(plan.cadres_new):
        rows = [{"userid": c.userid, "active": True, "on_leave": False, **values(c)} for c in chunk]
        new = _insert_with_ids(session, Cadre, rows)
        ids.update(zip((c.userid for c in chunk), new, strict=True))
        tick(len(chunk))
    for changed in _batches(plan.cadres_changed):
        session.execute(update(Cadre), [{"id": cid, **values(c)} for cid, c in changed])
        tick(len(changed))


def _target_values(t: TargetRow, unit_ids: dict[str, int]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "head_name": t.head_name,
        "unit_id": unit_ids[t.unit],
        "grid": t.grid,
        "address": t.address,
        "phone": t.phone,
        "member_count": t.member_count,
        "categories": list(t.categories),
        "is_key": vocab.is_key_target(list(t.categories)),
        "kind": t.kind,
    }
    if t.code is not None:  # a row without 编号 never clears a stored one
        values["code"] = t.code
    return values


def _write_targets(
    session: Session, plan: Plan, unit_ids: dict[str, int], tick: Progress
) -> dict[int, int]:
    """Insert and update targets; return {file row number: new target id}."""
    new_ids: dict[int, int] = {}
    for chunk in _batches(plan.targets_new):
        rows = [{"code": None, "needs_review": False, **_target_values(t, unit_ids)} for t in chunk]
        new = _insert_with_ids(session, Target, rows)
        new_ids.update(zip((t.row for t in chunk), new, strict=True))
        tick(len(chunk))
    for changed in _batches(plan.targets_changed):
        session.execute(
            update(Target), [{"id": tid, **_target_values(t, unit_ids)} for tid, t in changed]
        )
        tick(len(changed))
    return new_ids


def _write_assignments(
    session: Session,
    plan: Plan,
    campaign_id: int,
    cadre_ids: dict[str, int],
    new_target_ids: dict[int, int],
    tick: Progress,
) -> None:
    rows = [
        {
            "campaign_id": campaign_id,
            "target_id": target_id if target_id is not None else new_target_ids[row],
            "cadre_id": cadre_ids[userid],
        }
        for target_id, row, userid in plan.assignments_new
    ]
    for chunk in _batches(rows):
        session.execute(insert(Assignment), chunk)
        tick(len(chunk))
    changed = [
        {"id": aid, "cadre_id": cadre_ids[userid]} for aid, userid in plan.assignments_changed
    ]
    for chunk in _batches(changed):
        session.execute(update(Assignment), chunk)
        tick(len(chunk))


def _write_phases(session: Session, plan: Plan, campaign_id: int, tick: Progress) -> None:
    assert plan.phases is not None
    # The list is replaced as a whole: positions follow the sheet's row order.
    session.execute(delete(Phase).where(Phase.campaign_id == campaign_id))
    session.execute(
        insert(Phase),
        [
            {
                "campaign_id": campaign_id,
                "position": i,
                "name": p.name,
                "start_date": p.start,
                "deadline": p.deadline,
            }
            for i, p in enumerate(plan.phases, start=1)
        ],
    )
    tick(len(plan.phases))
