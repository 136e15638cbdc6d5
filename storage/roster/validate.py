"""Validate a whole raw workbook against the database: every problem, nothing written.

In: a :class:`RawWorkbook` and a :class:`Snapshot`. Out: a :class:`Roster` whose
``problems`` lists everything wrong (empty means the file may be applied).
A full workbook must hold 单位, 干部 and 走访对象 (活动阶段 is optional); a CSV holds
one sheet and its references resolve against the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.roster import messages as msg
from storage.roster.parse import (
    check_headers,
    parse_cadres,
    parse_phases,
    parse_targets,
    parse_units,
)
from storage.roster.reader import RawWorkbook
from storage.roster.refs import check_cadres, check_units, known_units, resolve_targets
from storage.roster.rows import CadreRow, PhaseRow, Roster, RowError, TargetRow, UnitRow
from storage.roster.sheets import CADRES, PHASES, SHEETS, TARGETS, UNITS
from storage.roster.snapshot import Snapshot


@dataclass(frozen=True)
class Parsed:
    """The file's typed rows and cell-level problems, before the database is consulted."""

    units: list[UnitRow] | None
    cadres: list[CadreRow] | None
    targets: list[TargetRow] | None
    phases: list[PhaseRow] | None
    problems: list[RowError]
    structural: bool  # a sheet or header is missing: cross-references cannot be judged


def parse_book(book: RawWorkbook) -> Parsed:
    """Every check that needs only the file. The raw cells can be dropped after it, before
    the snapshot is loaded (a county's file and snapshot are ~100 MB each)."""
    problems: list[RowError] = []
    if book.complete:
        for spec in SHEETS:
            if not spec.optional_sheet and spec.name not in book.sheets:
                problems.append(RowError(spec.name, None, None, msg.MISSING_SHEET))
    if not book.sheets and not problems:
        problems.append(RowError("-", None, None, msg.NO_SHEETS))

    usable = {}
    for name, sheet in book.sheets.items():
        header_problems = check_headers(sheet)
        problems.extend(header_problems)
        if not header_problems:
            usable[name] = sheet
    structural = bool(problems)

    return Parsed(
        units=parse_units(usable[UNITS], problems) if UNITS in usable else None,
        cadres=parse_cadres(usable[CADRES], problems) if CADRES in usable else None,
        targets=parse_targets(usable[TARGETS], problems) if TARGETS in usable else None,
        phases=parse_phases(usable[PHASES], problems) if PHASES in usable else None,
        problems=problems,
        structural=structural,
    )


def check(parsed: Parsed, snap: Snapshot) -> Roster:
    """The cross-references of :func:`parse_book`'s rows against each other and ``snap``."""
    problems = list(parsed.problems)
    units, cadres, targets, phases = parsed.units, parsed.cadres, parsed.targets, parsed.phases
    # With a sheet or header missing, references into it cannot be judged: report
    # what is missing and skip the cross-checks rather than echo every name.
    if not parsed.structural:
        if units is not None:
            check_units(units, snap, problems)
        unit_names = known_units(units, snap)
        if cadres is not None:
            check_cadres(cadres, unit_names, problems)
        if targets is not None:
            targets = resolve_targets(targets, cadres, unit_names, snap, problems)

    order = {spec.name: i for i, spec in enumerate(SHEETS)}
    problems.sort(key=lambda p: (order.get(p.sheet, -1), p.row or 0))
    return Roster(
        units=None if units is None else tuple(units),
        cadres=None if cadres is None else tuple(cadres),
        targets=None if targets is None else tuple(targets),
        phases=None if phases is None else tuple(phases),
        problems=tuple(problems),
    )
