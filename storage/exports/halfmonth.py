"""Seed 003 附件5 群众入户调查问题建议汇总表 (submitted every half month).

The counts are :func:`storage.facts.halfmonth_rows` over the problems in scope raised
in the period, each in its state as of the period's end (docs/facts.md); this module
only lays them out as the seed's form: 困难需求 and its 合计, then 意见建议 by category,
then the grand 合计. 已解决 counts solved only; 已解释 has its own column.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage.exports import labels
from storage.exports.base import ExportRequest, Merge, Row, Sheet
from storage.exports.places import place_of_label
from storage.exports.problem_lists import problem_ids_in_period, problem_states_of
from storage.facts import HalfmonthRow, halfmonth_rows

HARDSHIP = "困难需求"


def place_line(session: Session, unit_label: str) -> str:
    """市（区） 镇（街道） 村（社区） filled from the unit tree (see storage.exports.places)."""
    return place_of_label(session, unit_label).line()


def build(session: Session, req: ExportRequest) -> Sheet:
    states = problem_states_of(session, req, problem_ids_in_period(session, req))
    figures = halfmonth_rows(states, req.period())
    hardship = [f for f in figures if f.label == HARDSHIP]
    others = [f for f in figures if f.label != HARDSHIP]
    rows: list[Row] = []
    for f in hardship:
        rows.append((HARDSHIP, "", f.solved, f.pending, f.explained, f.subtotal))
    rows.append(("", labels.TOTAL, *_sums(hardship)))
    first = len(rows)
    for f in others:
        shown = labels.HALFMONTH_CATEGORY_WORDS.get(f.label, f.label)
        rows.append(
            (labels.HALFMONTH_SUGGESTIONS, shown, f.solved, f.pending, f.explained, f.subtotal)
        )
    merges = [Merge(0, 0, first - 1, 0)]
    if others:
        merges.append(Merge(first, 0, len(rows) - 1, 0))
    return Sheet(
        title=labels.HALFMONTH_TITLE,
        notes=(
            place_line(session, req.scope.unit_label),
            labels.scope_note(req.scope.unit_label, req.period_label()),
            labels.HALFMONTH_NOTE,
        ),
        header=(labels.HALFMONTH_HEADER,),
        widths=(12, 16, 14, 14, 14, 14),
        rows=tuple(rows),
        totals=((labels.TOTAL, "", *_sums(figures)),),
        merges=tuple(merges),
    )


def _sums(rows: list[HalfmonthRow]) -> tuple[int, int, int, int]:
    return (
        sum(r.solved for r in rows),
        sum(r.pending for r in rows),
        sum(r.explained for r in rows),
        sum(r.subtotal for r in rows),
    )
