"""The 走访汇总表 (seed 000 政法线's summary; seed 002 附件1 县乡干部大走访活动汇总表).

One row per 村（社区） (the place a household belongs to) — or, for a 线办/部门 scope,
per unit of the cadres — with the fact layer's figures (docs/facts.md): households
assigned, 入户走访, 电话联系, 不在家已登记, 未走访 as of the period's end; key targets
assigned and covered; problems raised in the period with 已解决 / 已解释 / 待解决 as
of its end.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import facts
from storage.exports import labels
from storage.exports.base import ExportRequest, Merge, Row, Sheet
from storage.exports.lookup import ID_CHUNK, unit_names
from storage.models import Cadre, Problem, Target
from storage.vocab import TARGET_HOUSEHOLD


def _problem_states(session: Session, req: ExportRequest) -> Iterator[facts.ProblemState]:
    """The fact layer's problem states in the request's scope, ``ID_CHUNK`` problems a
    query: a county's 170 000 are folded into the figures a chunk at a time instead of
    being loaded at once (each state depends on its own problem and history only)."""
    scope = req.scope.facts
    ids = list(
        session.scalars(
            select(Problem.id)
            .join(Target, Target.id == Problem.target_id)
            .join(Cadre, Cadre.id == Problem.found_by_id)
            .where(scope.problem_condition(req.campaign_id))
            .order_by(Problem.id)
        )
    )
    for start in range(0, len(ids), ID_CHUNK):
        yield from facts.problem_states(
            session,
            scope,
            req.period(),
            now=req.as_of(),
            assign_within_days=None,
            campaign_id=req.campaign_id,
            only=ids[start : start + ID_CHUNK],
        )


def build(session: Session, req: ExportRequest) -> Sheet:
    scope = req.scope.facts
    by_org = scope.basis == facts.ORG
    lines = facts.coverage(
        session,
        req.campaign_id,
        scope,
        req.until,
        group_by="cadre_unit" if by_org else "target_unit",
    )
    households = {c.group: c for c in lines if c.kind == TARGET_HOUSEHOLD}
    states = _problem_states(session, req)

    def unit_of(s: facts.ProblemState) -> Hashable:
        return s.finder_unit_id if by_org else s.target_unit_id

    problems = {
        k: f for k, f in facts.problem_figures(states, req.period(), unit_of).items() if f.raised
    }
    names = unit_names(session)
    groups = sorted(
        {g for g in households if g is not None} | {int(str(k)) for k in problems},
        key=lambda g: (names.get(g, ""), g),
    )
    rows: list[Row] = []
    sums = [0] * 11
    for n, group in enumerate(groups, start=1):
        c = households.get(group) or facts.Coverage(TARGET_HOUSEHOLD)
        f = problems.get(group) or facts.ProblemFigures(group)
        figures_row = (
            c.assigned,
            c.visited,
            c.phone,
            c.away,
            c.not_covered,
            c.key_assigned,
            c.key_covered,
            f.raised,
            f.solved,
            f.explained,
            f.pending,
        )
        sums = [a + b for a, b in zip(sums, figures_row, strict=True)]
        rows.append((n, names.get(group, ""), *figures_row))
    return Sheet(
        title=labels.SUMMARY_TITLE,
        notes=(labels.scope_note(req.scope.unit_label, req.period_label()), labels.SUMMARY_NOTE),
        header=(labels.SUMMARY_HEADER_TOP, labels.SUMMARY_HEADER),
        header_merges=(
            Merge(0, 0, 1, 0),
            Merge(0, 1, 1, 1),
            Merge(0, 2, 1, 2),
            Merge(0, 3, 0, 6),
            Merge(0, 7, 0, 8),
            Merge(0, 9, 0, 12),
        ),
        widths=(6, 16, 10, 10, 10, 12, 10, 8, 8, 8, 8, 8, 8),
        rows=tuple(rows),
        totals=((labels.TOTAL, "", *sums),),
    )
