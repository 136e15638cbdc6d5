"""Seed 000 附件2 不在家的一般农户统计表: general households not at home.

One row per household whose status as of the period's end is 不在家已登记, given by
a visit in the period (:func:`storage.facts.away_households`), with the phone,
外出时间, 在外具体住址 and 职业 the cadre recorded. This is the one table whose seed
form carries a phone number; the scope decides whose rows.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import facts
from storage.exports import labels
from storage.exports.base import ExportRequest, Sheet
from storage.exports.lists import list_sheet, ordered
from storage.exports.lookup import cadre_names, unit_names
from storage.models import Visit


def build(session: Session, req: ExportRequest) -> Sheet:
    """Rows ordered by village, group and household."""
    found = facts.away_households(session, req.campaign_id, req.scope.facts, req.period())
    found = ordered(session, req, found)
    answers = {
        vid: a
        for vid, a in session.execute(
            select(Visit.id, Visit.answers).where(Visit.id.in_([s.visit_id for _, s in found]))
        )
    }
    units, cadres = unit_names(session), cadre_names(session)
    rows = []
    for n, (t, s) in enumerate(found, start=1):
        a = answers.get(s.visit_id) or {}
        rows.append(
            (
                n,
                units[t.unit_id],
                t.grid,
                t.head_name,
                str(a.get("phone") or t.phone or ""),
                str(a.get("away_since") or ""),
                str(a.get("away_address") or ""),
                str(a.get("occupation") or ""),
                cadres.get(s.cadre_id, ""),
                req.day(s.submitted_at),
            )
        )
    widths = (6, 14, 8, 10, 14, 14, 28, 14, 10, 12)
    return list_sheet(req, labels.AWAY_TITLE, labels.AWAY_HEADER, widths, tuple(rows), {9})
