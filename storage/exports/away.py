"""Seed 000 附件2 不在家的一般农户统计表: general households not at home.

One row per 一般农户 whose latest not-at-home visit (outcome ``away``) falls in the
period, with the phone, 外出时间, 在外具体住址 and 职业 the cadre recorded. This is
the one table whose seed form carries a phone number; the scope decides whose rows.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage.exports import labels
from storage.exports.base import ExportRequest, Sheet
from storage.exports.lists import household_visits, list_sheet
from storage.exports.lookup import cadre_names, unit_names
from storage.models import Target
from storage.vocab import OUTCOME_AWAY


def build(session: Session, req: ExportRequest) -> Sheet:
    """Rows ordered by village, group and household."""
    found = household_visits(
        session, req, (OUTCOME_AWAY,), Target.is_key.is_(False), keep_latest=True
    )
    units, cadres = unit_names(session), cadre_names(session)
    rows = tuple(
        (
            n,
            units[t.unit_id],
            t.grid,
            t.head_name,
            str(v.answers.get("phone") or t.phone or ""),
            str(v.answers.get("away_since") or ""),
            str(v.answers.get("away_address") or ""),
            str(v.answers.get("occupation") or ""),
            cadres.get(v.cadre_id, ""),
            req.day(v.submitted_at),
        )
        for n, (v, t) in enumerate(found, start=1)
    )
    widths = (6, 14, 8, 10, 14, 14, 28, 14, 10, 12)
    return list_sheet(req, labels.AWAY_TITLE, labels.AWAY_HEADER, widths, rows, {9})
