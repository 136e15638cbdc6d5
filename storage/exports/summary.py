"""The 走访汇总表 (seed 000 政法线's summary; seed 002 附件1 县乡干部大走访活动汇总表).

One row per village (the unit a target belongs to): households assigned, reached in
person, by phone, not yet; key targets assigned and reached; problems raised in the
period with 已解决/待解决 (counted by ``scheduler.stats.halfmonth_summary``, passed in).
Coverage counts contacts logged before the period's end.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.exports import labels
from storage.exports.base import ExportRequest, Merge, Row, Sheet
from storage.exports.lookup import unit_names
from storage.exports.scope import scoped_problems, scoped_targets
from storage.models import Assignment, Problem, Target
from storage.vocab import OUTCOME_VISITED


def build(session: Session, req: ExportRequest) -> Sheet:
    best = req.best_outcomes(session, req.campaign_id, req.until)
    query = scoped_targets(
        select(Target.id, Target.unit_id, Target.is_key)
        .join(Assignment, Assignment.target_id == Target.id)
        .where(Assignment.campaign_id == req.campaign_id),
        req.scope,
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0] * 5)
    for target_id, unit_id, is_key in session.execute(query):
        outcome = best.get(target_id)
        c = counts[unit_id]
        c[0] += 1
        c[1] += outcome == OUTCOME_VISITED
        c[2] += outcome is not None and outcome != OUTCOME_VISITED
        c[3] += bool(is_key)
        c[4] += bool(is_key) and outcome is not None
    problems: dict[int, list[Problem]] = defaultdict(list)
    for p in session.scalars(scoped_problems(session, req.scope)):
        if req.in_period(p.created_at):
            problems[p.unit_id].append(p)
    names = unit_names(session)
    rows: list[Row] = []
    sums = [0] * 9
    for n, unit_id in enumerate(sorted(set(counts) | set(problems)), start=1):
        assigned, visited, phone, key, key_done = counts[unit_id]
        figures = req.halfmonth_summary(problems[unit_id])
        solved = sum(s for _, s, _ in figures)
        pending = sum(p for _, _, p in figures)
        figures_row = (
            assigned,
            visited,
            phone,
            assigned - visited - phone,
            key,
            key_done,
            solved + pending,
            solved,
            pending,
        )
        sums = [a + b for a, b in zip(sums, figures_row, strict=True)]
        rows.append((n, names[unit_id], *figures_row))
    return Sheet(
        title=labels.SUMMARY_TITLE,
        notes=(labels.scope_note(req.scope.unit_label, req.period_label()),),
        header=(labels.SUMMARY_HEADER_TOP, labels.SUMMARY_HEADER),
        header_merges=(
            Merge(0, 0, 1, 0),
            Merge(0, 1, 1, 1),
            Merge(0, 2, 1, 2),
            Merge(0, 3, 0, 5),
            Merge(0, 6, 0, 7),
            Merge(0, 8, 0, 10),
        ),
        widths=(6, 16, 10, 10, 10, 10, 8, 8, 8, 8, 8),
        rows=tuple(rows),
        totals=((labels.TOTAL, "", *sums),),
    )
