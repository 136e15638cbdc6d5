"""Seed 000 附件2 不在家的一般农户统计表: general households not at home.

One row per 一般农户 whose latest not-at-home visit (outcome ``away``) falls in the
period, with the phone, 外出时间, 在外具体住址 and 职业 the cadre recorded. This is
the one table whose seed form carries a phone number; the scope decides whose rows.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.exports import labels
from storage.exports.base import ExportRequest, Sheet
from storage.exports.lookup import cadre_names, unit_names
from storage.exports.scope import scoped_targets
from storage.models import Target, Visit
from storage.vocab import OUTCOME_AWAY


def build(session: Session, req: ExportRequest) -> Sheet:
    """Rows ordered by village, group and household."""
    query = scoped_targets(
        select(Visit, Target)
        .join(Target, Target.id == Visit.target_id)
        .where(
            Visit.campaign_id == req.campaign_id,
            Visit.outcome == OUTCOME_AWAY,
            Target.is_key.is_(False),
        )
        .order_by(Visit.submitted_at, Visit.id),
        req.scope,
    )
    latest: dict[int, tuple[Visit, Target]] = {}
    for visit, target in session.execute(query):
        if req.in_period(visit.submitted_at):
            latest[target.id] = (visit, target)
    units, cadres = unit_names(session), cadre_names(session)
    ordered = sorted(latest.values(), key=lambda vt: (units[vt[1].unit_id], vt[1].grid, vt[1].id))
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
        for n, (v, t) in enumerate(ordered, start=1)
    )
    return Sheet(
        title=labels.AWAY_TITLE,
        notes=(labels.scope_note(req.scope.unit_label, req.period_label()),),
        header=(labels.AWAY_HEADER,),
        widths=(6, 14, 8, 10, 14, 14, 28, 14, 10, 12),
        rows=rows,
        totals=((labels.TOTAL, labels.count_note(len(rows))) + ("",) * 8,),
        date_columns=frozenset({9}),
    )
