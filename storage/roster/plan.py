"""Compare a validated roster with the snapshot: what to create, update, leave alone.

Pure: no database access. The :class:`Plan` it returns is what ``--dry-run``
reports and what :mod:`storage.roster.apply` writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from storage import vocab
from storage.roster.rows import CadreRow, PhaseRow, Roster, TargetRow, UnitRow
from storage.roster.snapshot import Snapshot, match_target


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Plan:
    units_new: list[UnitRow] = field(default_factory=list)  # parents before children
    units_changed: list[tuple[int, UnitRow]] = field(default_factory=list)
    cadres_new: list[CadreRow] = field(default_factory=list)
    cadres_changed: list[tuple[int, CadreRow]] = field(default_factory=list)
    targets_new: list[TargetRow] = field(default_factory=list)
    targets_changed: list[tuple[int, TargetRow]] = field(default_factory=list)
    # (stored target id, or None for a new target's file row number, cadre userid)
    assignments_new: list[tuple[int | None, int, str]] = field(default_factory=list)
    assignments_changed: list[tuple[int, str]] = field(
        default_factory=list
    )  # (assignment id, userid)
    phases: list[PhaseRow] | None = None  # the campaign's new phase list, when it changes
    counts: dict[str, Counts] = field(default_factory=dict)

    @property
    def changes(self) -> int:
        return sum(c.created + c.updated for c in self.counts.values())

    @property
    def writes(self) -> int:
        """Rows to write, for the progress bar."""
        return self.changes


def make_plan(roster: Roster, snap: Snapshot) -> Plan:
    plan = Plan()
    if roster.units is not None:
        _plan_units(plan, roster.units, snap)
    if roster.cadres is not None:
        _plan_cadres(plan, roster.cadres, snap)
    if roster.targets is not None:
        _plan_targets(plan, roster.targets, snap)
    if roster.phases:
        _plan_phases(plan, roster.phases, snap)
    return plan


def _plan_units(plan: Plan, units: tuple[UnitRow, ...], snap: Snapshot) -> None:
    counts = plan.counts.setdefault("units", Counts())
    names = snap.unit_names
    new = []
    for unit in units:
        stored = snap.units.get(unit.name)
        if stored is None:
            new.append(unit)
            counts.created += 1
        elif stored.kind != unit.kind or names.get(stored.parent_id or 0) != unit.parent:
            plan.units_changed.append((stored.id, unit))
            counts.updated += 1
        else:
            counts.unchanged += 1
    # Parents first, so each new unit's parent id exists when it is inserted.
    placed = set(snap.units)
    pending = new
    while pending:
        ready = [u for u in pending if not u.parent or u.parent in placed or u.parent == u.name]
        if not ready:  # only cycles are left; validation reports them
            ready = pending
        plan.units_new.extend(ready)
        placed.update(u.name for u in ready)
        pending = [u for u in pending if u.name not in placed]


def _plan_cadres(plan: Plan, cadres: tuple[CadreRow, ...], snap: Snapshot) -> None:
    counts = plan.counts.setdefault("cadres", Counts())
    names = snap.unit_names
    for cadre in cadres:
        stored = snap.cadres.get(cadre.userid)
        if stored is None:
            plan.cadres_new.append(cadre)
            counts.created += 1
        elif (stored.name, names.get(stored.unit_id), stored.role, stored.phone) != (
            cadre.name,
            cadre.unit,
            cadre.role,
            cadre.phone,
        ):
            plan.cadres_changed.append((stored.id, cadre))
            counts.updated += 1
        else:
            counts.unchanged += 1


def _plan_targets(plan: Plan, targets: tuple[TargetRow, ...], snap: Snapshot) -> None:
    counts = plan.counts.setdefault("targets", Counts())
    assigned = plan.counts.setdefault("assignments", Counts())
    names = snap.unit_names
    cadre_of = snap.cadre_userids
    for t in targets:
        stored, _ = match_target(snap, t.code, t.head_name, t.address)
        if stored is None:
            plan.targets_new.append(t)
            counts.created += 1
            if t.cadre_userid:
                plan.assignments_new.append((None, t.row, t.cadre_userid))
                assigned.created += 1
            continue
        now = (
            stored.code,
            stored.head_name,
            names.get(stored.unit_id),
            stored.grid,
            stored.address,
            stored.phone,
            stored.member_count,
            stored.categories,
            stored.is_key,
            stored.kind,
        )
        want = (
            stored.code if t.code is None else t.code,
            t.head_name,
            t.unit,
            t.grid,
            t.address,
            t.phone,
            t.member_count,
            t.categories,
            vocab.is_key_target(list(t.categories)),
            t.kind,
        )
        if now != want:
            plan.targets_changed.append((stored.id, t))
            counts.updated += 1
        else:
            counts.unchanged += 1
        if not t.cadre_userid:
            continue
        current = snap.assignments.get(stored.id)
        if current is None:
            plan.assignments_new.append((stored.id, t.row, t.cadre_userid))
            assigned.created += 1
        elif cadre_of.get(current[1]) != t.cadre_userid:
            plan.assignments_changed.append((current[0], t.cadre_userid))
            assigned.updated += 1
        else:
            assigned.unchanged += 1


def _plan_phases(plan: Plan, phases: tuple[PhaseRow, ...], snap: Snapshot) -> None:
    counts = plan.counts.setdefault("phases", Counts())
    stored = {p.position: p for p in snap.phases}
    for position, phase in enumerate(phases, start=1):
        old = stored.get(position)
        if old is None:
            counts.created += 1
        elif (old.name, old.start, old.deadline) != (phase.name, phase.start, phase.deadline):
            counts.updated += 1
        else:
            counts.unchanged += 1
    removed = len([p for p in snap.phases if p.position > len(phases)])
    counts.updated += removed  # a phase dropped from the list counts as a change
    if counts.created or counts.updated:
        plan.phases = list(phases)
