"""Seed 004 附件5 没有问题群众清单: households asked and found without a problem.

One row per household of :func:`storage.facts.no_problem_households`: its status as
of the period's end is 入户走访 or 电话联系 by a visit in the period, and no problem
was raised on it by then. No phone column: the scope decides whose names appear.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage import facts
from storage.exports import labels
from storage.exports.base import ExportRequest, Sheet
from storage.exports.lists import list_sheet, ordered
from storage.exports.lookup import cadre_names, unit_names


def build(session: Session, req: ExportRequest) -> Sheet:
    """Rows ordered by village, group and household; the date is the status visit's."""
    found = facts.no_problem_households(session, req.campaign_id, req.scope.facts, req.period())
    found = ordered(session, req, found)
    units, cadres = unit_names(session), cadre_names(session)
    rows = tuple(
        (
            n,
            units[t.unit_id],
            t.grid,
            t.head_name,
            t.address,
            cadres.get(s.cadre_id, ""),
            req.day(s.submitted_at),
        )
        for n, (t, s) in enumerate(found, start=1)
    )
    widths = (6, 14, 10, 10, 30, 10, 12)
    return list_sheet(req, labels.NO_PROBLEM_TITLE, labels.NO_PROBLEM_HEADER, widths, rows, {6})
