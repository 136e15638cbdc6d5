"""Effort by organisation: who visited and what they collected, grouped by the
visiting cadre (002 附件1) or by the cadre's own unit (000 走访汇总表), not by the
visited village.

- ``cadre-summary`` 县乡干部大走访活动汇总表 (002 附件1): one row per cadre in scope:
  households reached in the period by outcome (each household once, at its best
  outcome by that cadre: 入户走访 over 电话联系 over 不在家已登记), the problems they
  raised in the period by kind (矛盾纠纷 = 矛盾纠纷 and 信访诉求, 意见建议 = 意见建议 and
  政策咨询, 其他 = the rest) and how many of those are 已办结 by the period's end.
- ``line-summary`` 民情大走访意见建议汇总表 (000: 政法线 sums up what each 线办
  collected): one row per unit of the cadres who raised problems in the period, by
  the problem's category (seed-003 scheme) and its state at the period's end
  (已解决 / 已解释 / 待办理, and of the open ones, past their 交办 deadline).
"""

from __future__ import annotations

from collections import defaultdict
from operator import attrgetter

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.exports import effort_labels as E
from storage.exports import labels
from storage.exports.base import ExportRequest, Merge, Row, Sheet
from storage.exports.lookup import unit_names
from storage.exports.problem_lists import (
    ListedProblem,
    problem_rows,
    problem_states_of,
    states_by_id,
)
from storage.exports.score_tables import scope_cadres
from storage.facts import EXPLAINED, PENDING, SOLVED
from storage.models import Problem, Visit
from storage.vocab import CATEGORIES_CHANGZHOU, OUTCOME_AWAY, OUTCOME_PHONE, OUTCOME_VISITED

_RANK = {OUTCOME_VISITED: 3, OUTCOME_PHONE: 2, OUTCOME_AWAY: 1}
DISPUTES = ("矛盾纠纷", "信访诉求")
SUGGESTIONS = ("意见建议", "政策咨询")


def _problems_by(session: Session, req: ExportRequest, cadre_ids: list[int]) -> list[ListedProblem]:
    query = select(Problem).where(Problem.found_by_id.in_(cadre_ids)).order_by(Problem.id)
    return problem_rows(session, query, req, None)


def _states(session: Session, req: ExportRequest, problems: list[ListedProblem]) -> dict[int, str]:
    """Each problem's bucket (待解决 / 已解决 / 已解释) as of the period's end, from the
    fact layer (docs/facts.md: a 回访 keeps the bucket it closed in)."""
    return states_by_id(session, req, problems, attrgetter("bucket"))


def build_cadre_summary(session: Session, req: ExportRequest) -> Sheet:
    cadres = scope_cadres(session, req)
    ids = [c.id for c in cadres]
    best: dict[tuple[int, int], str] = {}
    for cadre_id, target_id, outcome, when in session.execute(
        select(Visit.cadre_id, Visit.target_id, Visit.outcome, Visit.submitted_at).where(
            Visit.campaign_id == req.campaign_id,
            Visit.cadre_id.in_(ids),
            Visit.outcome.in_(list(_RANK)),
        )
    ):
        key = (cadre_id, target_id)
        if req.in_period(when) and _RANK[outcome] > _RANK.get(best.get(key, ""), 0):
            best[key] = outcome
    reached: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (cadre_id, _), outcome in best.items():
        reached[cadre_id][outcome] += 1
    found: dict[int, list[ListedProblem]] = defaultdict(list)
    problems = _problems_by(session, req, ids)
    for p in problems:
        found[p.found_by_id].append(p)
    bucket = _states(session, req, problems)
    units = unit_names(session)
    rows: list[Row] = []
    sums = [0] * 9
    for n, c in enumerate(cadres, start=1):
        r, mine = reached[c.id], found[c.id]
        disputes = sum(p.kind in DISPUTES for p in mine)
        suggestions = sum(p.kind in SUGGESTIONS for p in mine)
        closed = sum(bucket.get(p.id, PENDING) != PENDING for p in mine)
        figures = (
            r[OUTCOME_VISITED],
            r[OUTCOME_PHONE],
            r[OUTCOME_AWAY],
            sum(r.values()),
            disputes,
            suggestions,
            len(mine) - disputes - suggestions,
            closed,
            len(mine) - closed,
        )
        sums = [a + b for a, b in zip(sums, figures, strict=True)]
        rows.append((n, units[c.unit_id], c.name, *figures))
    return Sheet(
        title=E.CADRE_SUMMARY_TITLE,
        notes=(labels.scope_note(req.scope.unit_label, req.period_label()),),
        header=(E.CADRE_SUMMARY_TOP, E.CADRE_SUMMARY_HEADER),
        header_merges=(
            Merge(0, 0, 1, 0),
            Merge(0, 1, 1, 1),
            Merge(0, 2, 1, 2),
            Merge(0, 3, 0, 6),
            Merge(0, 7, 0, 9),
            Merge(0, 10, 0, 11),
        ),
        widths=(6, 14, 10, 9, 9, 10, 8, 9, 9, 8, 8, 8),
        rows=tuple(rows),
        totals=((labels.TOTAL, "", "", *sums),),
    )


def build_line_summary(session: Session, req: ExportRequest) -> Sheet:
    cadres = {c.id: c for c in scope_cadres(session, req)}
    by_unit: dict[int, list[ListedProblem]] = defaultdict(list)
    problems = _problems_by(session, req, sorted(cadres))
    for p in problems:
        by_unit[cadres[p.found_by_id].unit_id].append(p)
    states = {s.id: s for s in problem_states_of(session, req, problems)}
    units = unit_names(session)
    cats = len(CATEGORIES_CHANGZHOU)
    rows: list[Row] = []
    sums = [0] * (1 + cats + 4)
    for n, unit_id in enumerate(sorted(by_unit, key=lambda u: units[u]), start=1):
        mine = by_unit[unit_id]
        per_cat = [sum(_category(p) == c for p in mine) for c in CATEGORIES_CHANGZHOU]
        mine_states = [states[p.id] for p in mine if p.id in states]
        solved = sum(st.bucket == SOLVED for st in mine_states)
        explained = sum(st.bucket == EXPLAINED for st in mine_states)
        overdue = sum(st.overdue for st in mine_states)
        figures = (len(mine), *per_cat, solved, explained, len(mine) - solved - explained, overdue)
        sums = [a + b for a, b in zip(sums, figures, strict=True)]
        rows.append((n, units[unit_id], *figures))
    width = 3 + cats + 4
    return Sheet(
        title=E.LINE_SUMMARY_TITLE,
        notes=(labels.scope_note(req.scope.unit_label, req.period_label()), E.LINE_SUMMARY_NOTE),
        header=(E.LINE_SUMMARY_TOP, E.LINE_SUMMARY_HEADER),
        header_merges=(
            Merge(0, 0, 1, 0),
            Merge(0, 1, 1, 1),
            Merge(0, 2, 1, 2),
            Merge(0, 3, 0, 2 + cats),
            Merge(0, 3 + cats, 0, width - 1),
        ),
        widths=(6, 14, 8, *(8 for _ in range(cats)), 8, 8, 8, 8),
        rows=tuple(rows),
        totals=((labels.TOTAL, "", *sums),),
    )


def _category(p: ListedProblem) -> str:
    return p.category if p.category in CATEGORIES_CHANGZHOU else CATEGORIES_CHANGZHOU[-1]
