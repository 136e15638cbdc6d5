"""Write the stored roster in the import layout; re-importing the file changes nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from storage import vocab
from storage.roster.sheets import CADRES, PHASES, TARGETS, UNITS
from storage.roster.snapshot import UnitRec, load_snapshot
from storage.roster.template import new_roster_workbook
from storage.xlsx_cells import save_workbook


def export_roster(session: Session, path: str | Path) -> dict[str, int]:
    """Write units, cadres, targets (with the active campaign's 走访干部) and phases.

    Reads through the same snapshot the import compares against. Returns the number
    of rows written per sheet key (units, cadres, targets, phases).
    """
    snap = load_snapshot(session)
    unit_name = snap.unit_names
    userid_of = snap.cadre_userids
    wb = new_roster_workbook()

    ws = wb[UNITS]
    units = _parents_first(list(snap.units.values()))
    for u in units:
        ws.append([u.name, unit_name.get(u.parent_id or 0, ""), u.kind])

    ws = wb[CADRES]
    cadres = sorted(snap.cadres.values(), key=lambda c: c.id)
    for c in cadres:
        role = vocab.ROLE_LABELS.get(c.role, c.role)
        ws.append([c.name, c.userid, unit_name[c.unit_id], role, c.phone])

    ws = wb[TARGETS]
    targets = sorted((t for ts in snap.targets_by_key.values() for t in ts), key=lambda t: t.id)
    for t in targets:
        assigned = snap.assignments.get(t.id)
        ws.append(
            [
                t.code or "",
                t.head_name,
                unit_name[t.unit_id],
                t.grid,
                t.address,
                t.phone,
                "、".join(t.categories),
                t.member_count,
                userid_of.get(assigned[1], "") if assigned else "",
                vocab.TARGET_KIND_LABELS.get(t.kind, ""),
            ]
        )

    ws = wb[PHASES]
    for p in snap.phases:
        ws.append([p.name, p.start, p.deadline])
        for column in (2, 3):
            ws.cell(row=ws.max_row, column=column).number_format = "yyyy-mm-dd"
    save_workbook(wb, path)
    return {
        "units": len(units),
        "cadres": len(cadres),
        "targets": len(targets),
        "phases": len(snap.phases),
    }


def _parents_first(units: list[UnitRec]) -> list[UnitRec]:
    children: dict[int | None, list[UnitRec]] = {}
    for u in sorted(units, key=lambda u: u.id):
        children.setdefault(u.parent_id, []).append(u)
    out, queue = [], list(children.get(None, []))
    while queue:
        u = queue.pop(0)
        out.append(u)
        queue.extend(children.get(u.id, []))
    return out
