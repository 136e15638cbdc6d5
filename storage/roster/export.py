"""Write the stored roster in the import layout; re-importing the file changes nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import vocab
from storage.campaigns import find_active_campaign
from storage.models import Assignment, Cadre, Phase, Target, Unit
from storage.roster.sheets import CADRES, PHASES, TARGETS, UNITS
from storage.roster.template import new_roster_workbook


def export_roster(session: Session, path: str | Path) -> dict[str, int]:
    """Write units, cadres, targets (with the active campaign's 走访干部) and phases.

    Returns the number of rows written per sheet key (units, cadres, targets, phases).
    """
    wb = new_roster_workbook()
    units = list(session.execute(select(Unit.id, Unit.name, Unit.parent_id, Unit.kind)))
    name_of = {u.id: u.name for u in units}
    ws = wb[UNITS]
    for u in _parents_first(units):
        ws.append([u.name, name_of.get(u.parent_id, ""), u.kind])

    cadres = list(
        session.execute(
            select(
                Cadre.id, Cadre.name, Cadre.userid, Cadre.unit_id, Cadre.role, Cadre.phone
            ).order_by(Cadre.id)
        )
    )
    userid_of = {c.id: c.userid for c in cadres}
    ws = wb[CADRES]
    for c in cadres:
        ws.append(
            [c.name, c.userid, name_of[c.unit_id], vocab.ROLE_LABELS.get(c.role, c.role), c.phone]
        )

    campaign = find_active_campaign(session)
    cadre_of: dict[int, int] = {}
    phases: list[Phase] = []
    if campaign is not None:
        cadre_of = {
            target_id: cadre_id
            for target_id, cadre_id in session.execute(
                select(Assignment.target_id, Assignment.cadre_id).where(
                    Assignment.campaign_id == campaign.id
                )
            )
        }
        phases = list(campaign.phases)
    ws = wb[TARGETS]
    n_targets = 0
    for t in session.scalars(select(Target).order_by(Target.id)):
        cadre_id = cadre_of.get(t.id)
        ws.append(
            [
                t.code or "",
                t.head_name,
                name_of[t.unit_id],
                t.grid,
                t.address,
                t.phone,
                "、".join(t.categories or []),
                t.member_count,
                userid_of.get(cadre_id, "") if cadre_id else "",
            ]
        )
        n_targets += 1
    ws = wb[PHASES]
    for p in phases:
        ws.append([p.name, p.start_date, p.deadline])
        for col in (1, 2):
            ws.cell(row=ws.max_row, column=col + 1).number_format = "yyyy-mm-dd"
    wb.save(path)
    return {"units": len(units), "cadres": len(cadres), "targets": n_targets, "phases": len(phases)}


def _parents_first(units: list) -> list:  # type: ignore[type-arg]
    children: dict[int | None, list] = {}  # type: ignore[type-arg]
    for u in units:
        children.setdefault(u.parent_id, []).append(u)
    out, queue = [], list(children.get(None, []))
    while queue:
        u = queue.pop(0)
        out.append(u)
        queue.extend(children.get(u.id, []))
    return out
