"""Cross-reference checks: units, parents, cadres and assignments, file ∪ database.

A name the file uses must exist in the file or already in the database; a unit
tree must not loop; 走访干部 resolves to one 企业微信账号; a target that already
has a visit in the active campaign keeps its cadre (一访到底).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from storage.roster import messages as msg
from storage.roster.rows import CadreRow, RowError, TargetRow, UnitRow
from storage.roster.sheets import CADRES, TARGETS, UNITS
from storage.roster.snapshot import Snapshot, match_target


def check_units(units: list[UnitRow], snap: Snapshot, problems: list[RowError]) -> None:
    known = set(snap.units) | {u.name for u in units}
    names = snap.unit_names
    parent_of = {
        u.name: names.get(u.parent_id) if u.parent_id else None for u in snap.units.values()
    }
    parent_of.update({u.name: u.parent for u in units})
    for unit in units:
        if unit.parent and unit.parent not in known:
            problems.append(RowError(UNITS, unit.row, "上级单位", msg.unknown_unit(unit.parent)))
            continue
        path, seen, current = [unit.name], {unit.name}, unit.parent
        while current:
            path.append(current)
            if current == unit.name:
                problems.append(
                    RowError(UNITS, unit.row, "上级单位", msg.unit_cycle(unit.parent or "", path))
                )
                break
            if current in seen:  # a loop further up: reported on its own rows
                break
            seen.add(current)
            current = parent_of.get(current)


def known_units(units: list[UnitRow] | None, snap: Snapshot) -> set[str]:
    return set(snap.units) | {u.name for u in units or ()}


def check_cadres(cadres: list[CadreRow], units: set[str], problems: list[RowError]) -> None:
    for cadre in cadres:
        if cadre.unit and cadre.unit not in units:
            problems.append(RowError(CADRES, cadre.row, "单位", msg.unknown_unit(cadre.unit)))


def resolve_targets(
    targets: list[TargetRow],
    cadres: list[CadreRow] | None,
    units: set[str],
    snap: Snapshot,
    problems: list[RowError],
) -> list[TargetRow]:
    """Check each target's unit, cadre and stored match; return rows with 走访干部 as userid."""
    in_file: dict[str, str] = {}
    for c in cadres or ():  # a repeated account is reported by parse; the first row counts
        in_file.setdefault(c.userid, c.name)
    name_of = {c.userid: c.name for c in snap.cadres.values()}
    name_of.update(in_file)
    by_name: dict[str, list[str]] = defaultdict(list)
    for uid, name in name_of.items():
        by_name[name].append(uid)
    current_cadre = snap.cadre_userids
    claimed: dict[int, int] = {}  # stored target id -> first file row meaning it
    seen: set[object] = set()  # 编号 or name+address of earlier rows

    out = []
    for t in targets:
        if t.unit and t.unit not in units:
            problems.append(RowError(TARGETS, t.row, "所属村社区", msg.unknown_unit(t.unit)))
        userid: str | None = t.cadre_userid
        if userid and userid not in name_of:
            matches = by_name.get(userid, [])
            if len(matches) == 1:
                userid = matches[0]
            else:
                reason = (
                    msg.ambiguous_cadre(userid, sorted(matches))
                    if matches
                    else msg.unknown_cadre(userid)
                )
                problems.append(RowError(TARGETS, t.row, "走访干部", reason))
                userid = None
        stored, ambiguous = match_target(snap, t.code, t.head_name, t.address)
        if ambiguous and not t.code:
            problems.append(
                RowError(
                    TARGETS, t.row, "地址", msg.ambiguous_existing_target(t.head_name, t.address)
                )
            )
        identity = t.code or t.key
        repeated = identity in seen  # already reported as a duplicate by parse
        seen.add(identity)
        if stored is not None:
            if stored.id in claimed and not repeated:
                problems.append(
                    RowError(TARGETS, t.row, "编号", msg.same_stored_target(claimed[stored.id]))
                )
            claimed.setdefault(stored.id, t.row)
            assigned = snap.assignments.get(stored.id)
            if (
                userid
                and assigned is not None
                and current_cadre.get(assigned[1]) != userid
                and stored.id in snap.visited_target_ids
            ):
                now = current_cadre.get(assigned[1], "?")
                problems.append(
                    RowError(
                        TARGETS, t.row, "走访干部", msg.sticky_assignment(t.cadre_userid or "", now)
                    )
                )
        out.append(t if userid == t.cadre_userid else replace(t, cadre_userid=userid))
    return out
