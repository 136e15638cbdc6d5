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
from storage.exports.lookup import cadre_names, unit_names
from storage.exports.scope import scoped_targets
from storage.models import Problem, Target, Visit
from storage.vocab import OUTCOME_AWAY, OUTCOME_PHONE, OUTCOME_VISITED

CONTACTS = (OUTCOME_VISITED, OUTCOME_PHONE, OUTCOME_AWAY)


def build(session: Session, req: ExportRequest) -> Sheet:
    with_problems = select(Problem.target_id)
    query = scoped_targets(
        select(Visit, Target)
        .join(Target, Target.id == Visit.target_id)
        .where(
            Visit.campaign_id == req.campaign_id,
            Visit.outcome.in_(CONTACTS),
            Target.id.not_in(with_problems),
        )
        .order_by(Visit.submitted_at, Visit.id),
        req.scope,
    )
    first: dict[int, tuple[Visit, Target]] = {}
    for visit, target in session.execute(query):
        if req.in_period(visit.submitted_at):
            first.setdefault(target.id, (visit, target))
    units, cadres = unit_names(session), cadre_names(session)
    ordered = sorted(first.values(), key=lambda vt: (units[vt[1].unit_id], vt[1].grid, vt[1].id))
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
        for n, (v, t) in enumerate(ordered, start=1)
    )
    return Sheet(
        title=labels.NO_PROBLEM_TITLE,
        notes=(labels.scope_note(req.scope.unit_label, req.period_label()),),
        header=(labels.NO_PROBLEM_HEADER,),
        widths=(6, 14, 10, 10, 30, 10, 12),
        rows=rows,
        totals=((labels.TOTAL, labels.count_note(len(rows))) + ("",) * 5,),
        date_columns=frozenset({6}),
    )
