"""Seed 003 附件1 村（社区）调查表: one sheet per village, in the form's layout.

Filled from the village survey (template ``changzhou_village``, or any visit to a
target of kind 'village'): the latest one per village in scope and period. The
twelve numbers stay numbers; the six 困难和对策建议 lines are the typed texts. Under
the grid, the form's own lines: 书记 and 电话 (from the survey's sign-off), 走访单位,
联系人 and 电话 (the cadre who filled it in), 日期 (the survey's local day).
"""

from __future__ import annotations

from sqlalchemy import or_
from sqlalchemy.orm import Session

from storage.exports import form_labels as F
from storage.exports import labels
from storage.exports.base import Book, Cell, ExportRequest, Merge, Row, Sheet
from storage.exports.form_visits import FormVisit, latest_visits
from storage.exports.places import place_of
from storage.models import Target, Visit
from storage.vocab import TARGET_VILLAGE

TEXT_ROW_HEIGHT = 48.0


def build(session: Session, req: ExportRequest) -> Book:
    found = latest_visits(
        session, req, or_(Visit.template == F.VILLAGE_TEMPLATE, Target.kind == TARGET_VILLAGE)
    )
    sheets = tuple(village_sheet(session, req, fv) for fv in found)
    return Book(F.VILLAGE_TITLE, sheets, len(sheets))


def _number(req: ExportRequest, fv: FormVisit, question: str) -> Cell:
    value = fv.number(question)
    return value if value is not None else (fv.answer(req, question) or None)


def village_sheet(session: Session, req: ExportRequest, fv: FormVisit) -> Sheet:
    """The form for one village, named after it."""
    place = place_of(session, fv.target.unit_id)
    village = place.village or fv.target.head_name
    rows: list[Row] = [(F.VILLAGE_BASIC, None, None, None)]
    merges = [Merge(0, 0, 0, 3)]
    for (left, left_q), (right, right_q) in F.VILLAGE_NUMBERS:
        rows.append((left, _number(req, fv, left_q), right, _number(req, fv, right_q)))
    merges.append(Merge(len(rows), 0, len(rows), 3))
    rows.append((F.VILLAGE_DIFFICULTIES, None, None, None))
    heights = []
    for label, question in F.VILLAGE_TEXTS:
        merges.append(Merge(len(rows), 1, len(rows), 3, centred=False))
        heights.append((len(rows), TEXT_ROW_HEIGHT))
        rows.append((label, fv.answer(req, question) or None, None, None))
    answers = fv.visit.answers
    tail = (
        F.village_secretary_line(
            village, str(answers.get("secretary") or ""), str(answers.get("secretary_phone") or "")
        ),
        F.village_visitor_line(fv.cadre_unit, fv.cadre.name, fv.cadre.phone),
        F.form_date_line("日期", labels.date_words(req.day(fv.visit.submitted_at))),
    )
    return Sheet(
        title=F.VILLAGE_TITLE,
        notes=(place.line(),),
        header=(),
        widths=(28, 14, 30, 14),
        rows=tuple(rows),
        merges=tuple(merges),
        name=village,
        tail=tail,
        row_heights=tuple(heights),
    )
