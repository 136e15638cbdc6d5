"""Seed 003 附件5 群众入户调查问题建议汇总表 (submitted every half month).

The counts are ``scheduler.stats.halfmonth_summary`` (passed in on the request) over
the problems in scope raised in the period; this module only lays them out as the
seed's form: 困难需求 and its 合计, then 意见建议 by category, then the grand 合计.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage.exports import labels
from storage.exports.base import ExportRequest, Merge, Row, Sheet
from storage.exports.places import place_of_label
from storage.exports.problem_lists import problems_in_period

HARDSHIP = "困难需求"


def place_line(session: Session, unit_label: str) -> str:
    """市（区） 镇（街道） 村（社区） filled from the unit tree (see storage.exports.places)."""
    return place_of_label(session, unit_label).line()


def build(session: Session, req: ExportRequest) -> Sheet:
    figures = req.halfmonth_summary(problems_in_period(session, req))
    hardship = [f for f in figures if f[0] == HARDSHIP]
    others = [f for f in figures if f[0] != HARDSHIP]
    rows: list[Row] = []
    for _label, solved, pending in hardship:
        rows.append((HARDSHIP, "", solved, pending, solved + pending))
    hs, hp = sum(f[1] for f in hardship), sum(f[2] for f in hardship)
    rows.append(("", labels.TOTAL, hs, hp, hs + hp))
    first = len(rows)
    for label, solved, pending in others:
        shown = labels.HALFMONTH_CATEGORY_WORDS.get(label, label)
        rows.append((labels.HALFMONTH_SUGGESTIONS, shown, solved, pending, solved + pending))
    ts, tp = sum(f[1] for f in figures), sum(f[2] for f in figures)
    merges = [Merge(0, 0, first - 1, 0)]
    if others:
        merges.append(Merge(first, 0, len(rows) - 1, 0))
    return Sheet(
        title=labels.HALFMONTH_TITLE,
        notes=(
            place_line(session, req.scope.unit_label),
            labels.scope_note(req.scope.unit_label, req.period_label()),
        ),
        header=(labels.HALFMONTH_HEADER,),
        widths=(12, 16, 14, 14, 14),
        rows=tuple(rows),
        totals=((labels.TOTAL, "", ts, tp, ts + tp),),
        merges=tuple(merges),
    )
