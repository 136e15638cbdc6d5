"""Seed 003 附件3 群众入户调查表: one sheet per household in the form's layout, and
the same households as one list (``household-list``).

Every household in scope with an at-home visit (入户走访) in the period, its latest
visit. The blanks are read by the questionnaire's field names (``phone``,
``members``, ``income``, ``poverty_cause``, ``needs``, ``suggestion``,
``handling``, template ``changzhou_household``); when a visit was made with another
questionnaire, 困难需求 and 意见建议 are the ledger problems that visit raised, and
处理落实情况 their state. The form carries the household's phone by design.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy.orm import Session

from storage.exports import form_labels as F
from storage.exports import labels
from storage.exports.base import Book, Cell, ExportRequest, Merge, Row, Sheet
from storage.exports.form_visits import FormVisit, latest_visits
from storage.exports.lists import list_sheet
from storage.exports.places import place_of
from storage.models import Problem, Target
from storage.vocab import PROBLEM_STATUS, TARGET_HOUSEHOLD

TEXT_ROW_HEIGHT = 45.0


def households(session: Session, req: ExportRequest) -> list[FormVisit]:
    return latest_visits(session, req, Target.kind == TARGET_HOUSEHOLD)


def states_of(problems: Sequence[Problem]) -> str:
    """``已解决 2 件；交办 1 件``: the visit's problems by their state now."""
    counts = Counter(PROBLEM_STATUS[p.status] for p in problems)
    return "；".join(f"{state} {n} 件" for state, n in counts.items())


class Filled:
    """The blanks of one household's form, as text (numbers kept as numbers)."""

    def __init__(self, req: ExportRequest, fv: FormVisit) -> None:
        t = fv.target
        self.head = t.head_name
        self.phone = fv.answer(req, "phone") or t.phone
        members = fv.number("members")
        self.members: Cell = members if members is not None else t.member_count
        self.address = t.address
        self.income = fv.answer(req, "income")
        self.poverty = fv.answer(req, "poverty_cause")
        hardship = [p for p in fv.problems if p.kind == F.HARDSHIP_KIND]
        others = [p for p in fv.problems if p.kind != F.HARDSHIP_KIND]
        self.needs = fv.answer(req, "needs") or "；".join(p.text for p in hardship)
        self.suggestions = fv.answer(req, "suggestion") or "；".join(p.text for p in others)
        self.handling = fv.answer(req, "handling") or states_of(fv.problems)
        self.cadre = fv.cadre.name
        self.day = req.day(fv.visit.submitted_at)


def household_sheet(session: Session, req: ExportRequest, fv: FormVisit) -> Sheet:
    """The form for one household, named after its head (and village)."""
    f = Filled(req, fv)
    rows: list[Row] = [
        (F.HEAD_NAME, f.head, F.PHONE, f.phone, F.MEMBERS, f.members),
        (F.ADDRESS, f.address, None, None, None, None),
        (F.INCOME, f.income or None, None, None, None, None),
        (F.POVERTY, f.poverty or None, None, None, None, None),
        (F.NEEDS, f.needs or None, None, None, None, None),
        (F.SUGGESTIONS, f.suggestions or None, None, None, None, None),
        (F.HANDLING, f.handling or None, None, None, None, None),
    ]
    merges = tuple(Merge(r, 1, r, 5, centred=r < 3) for r in range(1, len(rows)))
    heights = tuple((r, TEXT_ROW_HEIGHT) for r in range(3, len(rows)))
    place = place_of(session, fv.target.unit_id)
    day = labels.date_words(f.day)
    return Sheet(
        title=F.HOUSEHOLD_TITLE,
        notes=(),
        header=(),
        widths=(22, 14, 12, 16, 12, 10),
        rows=tuple(rows),
        merges=merges,
        name=f"{f.head}-{place.village}" if place.village else f.head,
        tail=(
            F.household_place_line(place.line()),
            F.collector_line(f.cadre, fv.cadre_unit, day),
        ),
        row_heights=heights,
    )


def build_forms(session: Session, req: ExportRequest) -> Book:
    found = households(session, req)
    sheets = tuple(household_sheet(session, req, fv) for fv in found)
    return Book(F.HOUSEHOLD_TITLE, sheets, len(sheets))


def build_list(session: Session, req: ExportRequest) -> Sheet:
    """The same households, one row each (for a clerk to sort and count)."""
    rows: list[Row] = []
    villages: dict[int, str] = {}
    for n, fv in enumerate(households(session, req), start=1):
        f = Filled(req, fv)
        unit_id = fv.target.unit_id
        if unit_id not in villages:
            villages[unit_id] = place_of(session, unit_id).village
        village = villages[unit_id]
        rows.append(
            (
                n,
                village,
                f.head,
                f.phone,
                f.members,
                f.address,
                f.income,
                f.needs,
                f.suggestions,
                f.handling,
                f.cadre,
                f.day,
            )
        )
    widths = (6, 12, 10, 14, 8, 20, 10, 28, 30, 20, 10, 12)
    return list_sheet(
        req, F.HOUSEHOLD_LIST_TITLE, F.HOUSEHOLD_LIST_HEADER, widths, tuple(rows), {11}
    )
