"""The seeds' scores as tables (definitions: :mod:`storage.facts.scores`).

- ``quota`` 走访任务完成情况表 (002 ≥10 户/轮、≥20 户/年; 003 ≥30 户): one row per cadre;
- ``four-checks`` 四查四看情况表 (001 回头看): per village, 完成率, 办结率, 息诉息访率, 满意率;
- ``best-visitors`` 最美走访者候选排名 (000 总结表彰): cadres by an objective score.

Cadres are those of the scope's units (effort by organisation); a visiting cadre's
``--as`` is that cadre alone. Every figure counts up to the period's end (``--to``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.exports import labels
from storage.exports import score_labels as S
from storage.exports.base import ExportRequest, Row, Sheet
from storage.exports.lists import list_sheet
from storage.exports.lookup import unit_names
from storage.exports.scope import scoped_problems, scoped_targets
from storage.facts import scores
from storage.models import Assignment, Cadre, Campaign, Problem, Target, Visit


def scope_cadres(session: Session, req: ExportRequest) -> list[Cadre]:
    """The campaign's cadres in the scope: the viewer alone for a visiting cadre."""
    cadres = scores.campaign_cadres(session, req.campaign_id, req.scope.unit_ids)
    viewer = req.scope.viewer
    if viewer is not None and req.scope.viewer_targets is not None:
        cadres = [c for c in cadres if c.id == viewer.id]
    return cadres


def build_quota(session: Session, req: ExportRequest) -> Sheet:
    campaign = session.get(Campaign, req.campaign_id)
    assert campaign is not None
    cadres = scope_cadres(session, req)
    rounds, progress = scores.quota_progress(session, campaign, cadres, req.tz, req.until)
    round_names = tuple(r.name for r in rounds) or (S.QUOTA_WHOLE,)
    header = (*S.QUOTA_LEAD, *round_names, *S.QUOTA_TAIL)
    units = unit_names(session)
    rows: list[Row] = []
    for n, q in enumerate(progress, start=1):
        counts = q.per_round or (q.total,)
        state = S.QUOTA_NONE if not q.quota_round else (S.QUOTA_MET if q.met else S.short(q.short))
        rows.append(
            (n, units[q.unit_id], q.name, *counts, q.total, q.quota_round, q.quota_total, state)
        )
    met = sum(q.met for q in progress if q.quota_round)
    widths = (6, 14, 10, *(12 for _ in round_names), 8, 10, 10, 16)
    sheet = list_sheet(req, S.QUOTA_TITLE, header, widths, tuple(rows))
    note = S.quota_note(campaign.quota_per_cadre, len(rounds), met, len(progress))
    return _with_note(sheet, note)


def _with_note(sheet: Sheet, note: str) -> Sheet:
    return replace(sheet, notes=(*sheet.notes, note))


def build_four_checks(session: Session, req: ExportRequest) -> Sheet:
    """One row per village (the targets' unit) and a 合计 row."""
    assigned: dict[int, set[int]] = defaultdict(set)
    for target_id, unit_id in session.execute(
        scoped_targets(
            select(Target.id, Target.unit_id)
            .join(Assignment, Assignment.target_id == Target.id)
            .where(Assignment.campaign_id == req.campaign_id),
            req.scope,
        )
    ):
        assigned[unit_id].add(target_id)
    reached_query = select(Visit.target_id).where(
        Visit.campaign_id == req.campaign_id, Visit.outcome.in_(scores.CONTACTS)
    )
    if req.until is not None:
        reached_query = reached_query.where(Visit.submitted_at < req.until)
    reached = set(session.scalars(reached_query))
    problems: dict[int, list[Problem]] = defaultdict(list)
    for p in session.scalars(scoped_problems(session, req.scope)):
        problems[p.unit_id].append(p)
    units = unit_names(session)
    rows: list[Row] = []
    every: list[Problem] = []
    all_assigned = all_reached = 0
    for n, unit_id in enumerate(
        sorted(set(assigned) | set(problems), key=lambda u: units[u]), start=1
    ):
        done = len(assigned[unit_id] & reached)
        rows.append(
            (n, units[unit_id], *_checks(len(assigned[unit_id]), done, problems[unit_id], req))
        )
        every += problems[unit_id]
        all_assigned += len(assigned[unit_id])
        all_reached += done
    totals = ((labels.TOTAL, "", *_checks(all_assigned, all_reached, every, req)),)
    return Sheet(
        title=S.CHECKS_TITLE,
        notes=(labels.scope_note(req.scope.unit_label, req.period_label()), S.CHECKS_NOTE),
        header=(S.CHECKS_HEADER,),
        widths=(6, 14, 8, 8, 9, 8, 8, 9, 9, 8, 10, 8, 8, 9),
        rows=tuple(rows),
        totals=totals,
    )


def _checks(assigned: int, reached: int, problems: list[Problem], req: ExportRequest) -> Row:
    cover = scores.Rate(reached, assigned)
    solved = scores.solve_rate(problems, req.until)
    settled = scores.settle_rate(problems, req.until)
    happy = scores.satisfaction_rate(problems, req.until)
    return (
        assigned,
        reached,
        cover.text(),
        solved.denominator,
        solved.numerator,
        solved.text(),
        settled.denominator,
        settled.numerator,
        settled.text(),
        happy.denominator,
        happy.numerator,
        happy.text(),
    )


def build_best_visitors(session: Session, req: ExportRequest) -> Sheet:
    cadres = scope_cadres(session, req)
    found = scores.problems_found_by(session, cadres)
    ranking = scores.best_visitor_ranking(session, req.campaign_id, cadres, found, req.until)
    units = unit_names(session)
    rows = tuple(
        (
            n,
            units[c.unit_id],
            c.name,
            c.coverage.denominator,
            c.coverage.numerator,
            c.coverage.text(),
            c.in_person,
            c.problems,
            c.on_time.text(),
            c.satisfaction.text(),
            c.score,
        )
        for n, c in enumerate(ranking, start=1)
    )
    widths = (6, 14, 10, 8, 8, 10, 10, 10, 12, 12, 10)
    sheet = list_sheet(req, S.BEST_TITLE, S.BEST_HEADER, widths, rows)
    return _with_note(sheet, S.BEST_NOTE)
