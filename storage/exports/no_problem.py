"""Seed 004 附件5 没有问题群众清单: households contacted with no problem raised.

A household is listed when it was contacted (in person, by phone, or away with
details) in the period and no problem of the campaign names it. No phone column:
the scope decides whose names appear.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.exports import labels
from storage.exports.base import ExportRequest, Sheet
from storage.exports.lists import household_visits, list_sheet
from storage.exports.lookup import cadre_names, unit_names
from storage.models import Problem, Target
from storage.vocab import OUTCOME_AWAY, OUTCOME_PHONE, OUTCOME_VISITED

CONTACTS = (OUTCOME_VISITED, OUTCOME_PHONE, OUTCOME_AWAY)


def build(session: Session, req: ExportRequest) -> Sheet:
    """Rows ordered by village, group and household; the date is the first contact."""
    without_problems = Target.id.not_in(select(Problem.target_id))
    found = household_visits(session, req, CONTACTS, without_problems, keep_latest=False)
    units, cadres = unit_names(session), cadre_names(session)
    rows = tuple(
        (
            n,
            units[t.unit_id],
            t.grid,
            t.head_name,
            t.address,
            cadres.get(v.cadre_id, ""),
            req.day(v.submitted_at),
        )
        for n, (v, t) in enumerate(found, start=1)
    )
    widths = (6, 14, 10, 10, 30, 10, 12)
    return list_sheet(req, labels.NO_PROBLEM_TITLE, labels.NO_PROBLEM_HEADER, widths, rows, {6})
