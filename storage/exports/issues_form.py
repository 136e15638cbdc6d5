"""Seed 003 附件4 党员干部走访收集问题清单, as the seed lays it out.

"个人填写，交本单位汇总": one sheet per cadre who raised problems in scope and
period, with 走访人 and 走访时间 as header lines over 序号 / 走访对象 /
反映问题或意见建议 / 办理意见. 走访时间 is the span of days on which the cadre raised
them. 办理意见 is the handling proposed for each problem: what was done at the
door (solved / explained, with the note) or where it is to go (the assignee unit
and the 责任分类). Problem texts pass through ``req.redact`` (no phone column).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.exports import labels
from storage.exports.base import Book, ExportRequest, LazyRows, Row, Sheet
from storage.exports.lists import list_sheet
from storage.exports.lookup import head_names, unit_names
from storage.exports.problem_lists import ListedProblem, problems_in_period, status_as_of
from storage.models import Cadre
from storage.vocab import RESPONSIBILITY


def proposed_handling(p: ListedProblem, units: dict[int, str], status: str | None = None) -> str:
    """办理意见 for one problem, from its state (see the module docstring); ``status`` is
    its state as of the period's end (default: today's)."""
    status = status or p.status
    resp = RESPONSIBILITY.get(p.responsibility, p.responsibility)
    note = f"：{p.closing_note}" if p.closing_note else ""
    if status == "solved":
        return f"已解决{note}"
    if status == "explained":
        return f"已解释说明{note}"
    if status == "followed_up":
        return f"已解决并回访（{p.satisfaction or '未评价'}）"
    if p.assignee_unit_id is not None:
        return labels.ISSUES_ASSIGNED.format(unit=units.get(p.assignee_unit_id, ""), resp=resp)
    return labels.ISSUES_REGISTERED.format(resp=resp)


def visit_days(days: list[date | None]) -> str:
    """``2026-11-12 至 2026-11-23`` (or one day) over the days problems were raised."""
    known = sorted(d for d in days if d is not None)
    if not known:
        return ""
    return str(known[0]) if known[0] == known[-1] else f"{known[0]} 至 {known[-1]}"


def build(session: Session, req: ExportRequest) -> Book:
    problems = problems_in_period(session, req)
    status = status_as_of(session, req, problems)
    by_cadre: dict[int, list[ListedProblem]] = defaultdict(list)
    for p in problems:
        by_cadre[p.found_by_id].append(p)
    units = unit_names(session)
    heads = head_names(session, {p.target_id for p in problems})
    cadres = {c.id: c for c in session.scalars(select(Cadre).where(Cadre.id.in_(sorted(by_cadre))))}
    order = sorted(by_cadre, key=lambda c: (units.get(cadres[c].unit_id, ""), c))

    def row(n: int, p: ListedProblem) -> Row:
        return (
            n,
            heads[p.target_id],
            req.redact(p.text),
            proposed_handling(p, units, status.get(p.id)),
        )

    sheets: list[Sheet] = []
    for cadre_id in order:
        name = cadres[cadre_id].name
        own = by_cadre[cadre_id]
        rows = LazyRows(own, row)  # made while the sheet is written
        notes = (
            labels.ISSUES_NOTE,
            labels.ISSUES_WHO.format(name=name),
            labels.ISSUES_WHEN.format(days=visit_days([req.day(p.created_at) for p in own])),
        )
        sheet = list_sheet(
            req, labels.ISSUES_TITLE, labels.ISSUES_HEADER, (6, 14, 50, 34), rows, (), notes
        )
        sheets.append(_named(sheet, name))
    return Book(labels.ISSUES_TITLE, tuple(sheets), len(problems))


def _named(sheet: Sheet, name: str) -> Sheet:
    return replace(sheet, name=name)
