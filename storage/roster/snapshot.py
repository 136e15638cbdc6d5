"""What the database already holds, loaded in a handful of bulk SELECTs.

The validator and the planner compare the file against this snapshot instead of
querying row by row, which is what keeps a 10 000-row import fast.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.campaigns import find_active_campaign
from storage.models import Assignment, Cadre, Phase, Target, Unit, Visit

BATCH = 5000


@dataclass(frozen=True)
class UnitRec:
    id: int
    name: str
    parent_id: int | None
    kind: str


@dataclass(frozen=True)
class CadreRec:
    id: int
    userid: str
    name: str
    unit_id: int
    role: str
    phone: str


class TargetRec(NamedTuple):
    """A stored target. A named tuple, not a dataclass: a county holds 100 000 of them
    (a frozen dataclass took 3x the memory and time to build)."""

    id: int
    code: str | None
    head_name: str
    unit_id: int
    grid: str
    address: str
    phone: str
    member_count: int | None
    categories: tuple[str, ...]
    is_key: bool
    kind: str = "household"


@dataclass(frozen=True)
class PhaseRec:
    id: int
    position: int
    name: str
    start: date | None
    deadline: date


@dataclass
class Snapshot:
    units: dict[str, UnitRec] = field(default_factory=dict)  # by name
    cadres: dict[str, CadreRec] = field(default_factory=dict)  # by userid
    targets_by_code: dict[str, TargetRec] = field(default_factory=dict)
    targets_by_key: dict[tuple[str, str], list[TargetRec]] = field(default_factory=dict)
    campaign_id: int | None = None
    assignments: dict[int, tuple[int, int]] = field(default_factory=dict)  # target -> (id, cadre)
    visited_target_ids: frozenset[int] = frozenset()
    phases: tuple[PhaseRec, ...] = ()

    @property
    def unit_names(self) -> dict[int, str]:
        return {u.id: u.name for u in self.units.values()}

    @property
    def cadre_userids(self) -> dict[int, str]:
        return {c.id: c.userid for c in self.cadres.values()}


def load_snapshot(session: Session) -> Snapshot:
    """Read units, cadres, targets and the active campaign's assignments and phases."""
    snap = Snapshot()
    for uid, name, parent_id, kind in session.execute(
        select(Unit.id, Unit.name, Unit.parent_id, Unit.kind)
    ):
        snap.units[name] = UnitRec(uid, name, parent_id, kind)
    for cid, userid, name, unit_id, role, phone in session.execute(
        select(Cadre.id, Cadre.userid, Cadre.name, Cadre.unit_id, Cadre.role, Cadre.phone)
    ):
        snap.cadres[userid] = CadreRec(cid, userid, name, unit_id, role, phone)
    by_key: dict[tuple[str, str], list[TargetRec]] = defaultdict(list)
    same: dict[object, object] = {}  # one object per repeated value (grid, kind, categories)
    rows = session.execute(
        select(
            Target.id,
            Target.code,
            Target.head_name,
            Target.unit_id,
            Target.grid,
            Target.address,
            Target.phone,
            Target.member_count,
            Target.categories,
            Target.is_key,
            Target.kind,
        ).execution_options(yield_per=BATCH)  # streamed: a county is 100 000 rows
    )
    for t in rows:
        categories = tuple(t.categories or ())
        rec = TargetRec(
            t.id,
            t.code,
            t.head_name,
            t.unit_id,
            same.setdefault(t.grid, t.grid),  # type: ignore[arg-type]
            t.address,
            t.phone,
            t.member_count,
            same.setdefault(categories, categories),  # type: ignore[arg-type]
            bool(t.is_key),
            same.setdefault(t.kind, t.kind) or "household",  # type: ignore[arg-type]
        )
        if rec.code:
            snap.targets_by_code[rec.code] = rec
        by_key[(rec.head_name, rec.address)].append(rec)
    snap.targets_by_key = dict(by_key)
    campaign = find_active_campaign(session)
    if campaign is not None:
        snap.campaign_id = campaign.id
        for aid, target_id, cadre_id in session.execute(
            select(Assignment.id, Assignment.target_id, Assignment.cadre_id).where(
                Assignment.campaign_id == campaign.id
            )
        ):
            snap.assignments[target_id] = (aid, cadre_id)
        snap.visited_target_ids = frozenset(
            session.scalars(
                select(Visit.target_id).where(Visit.campaign_id == campaign.id).distinct()
            )
        )
        snap.phases = tuple(
            PhaseRec(*row)
            for row in session.execute(
                select(Phase.id, Phase.position, Phase.name, Phase.start_date, Phase.deadline)
                .where(Phase.campaign_id == campaign.id)
                .order_by(Phase.position)
            )
        )
    return snap


def match_target(
    snap: Snapshot, code: str | None, head_name: str, address: str
) -> tuple[TargetRec | None, bool]:
    """The stored target a file row means, and whether the name+address key is ambiguous.

    By 编号 when given; a 编号 not yet stored may still match a stored target that has
    no 编号 and the same 户主姓名 + 地址 (a roster that adds numbers later). A row
    without 编号 prefers stored targets without one: a numbered household of the same
    name and address is a different household the file keys by its 编号.
    """
    if code and code in snap.targets_by_code:
        return snap.targets_by_code[code], False
    candidates = snap.targets_by_key.get((head_name, address), [])
    uncoded = [t for t in candidates if not t.code]
    if code or uncoded:
        candidates = uncoded
    if len(candidates) == 1:
        return candidates[0], False
    return None, len(candidates) > 1
