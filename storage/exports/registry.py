"""Every export table by its command-line name, with its seed source and columns."""

from __future__ import annotations

from storage.exports import (
    away,
    effort,
    halfmonth,
    household_form,
    issues_form,
    labels,
    no_problem,
    problem_lists,
    score_tables,
    summary,
    village_form,
)
from storage.exports import effort_labels as efforts
from storage.exports import form_labels as forms
from storage.exports import score_labels as scores
from storage.exports.base import TableSpec
from storage.problems import LEADER_ROLES


def _columns(*rows: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c for row in rows for c in row if c)


TABLES: dict[str, TableSpec] = {
    spec.key: spec
    for spec in (
        TableSpec(
            "away",
            labels.AWAY_TITLE,
            "000 虹桥镇 附件2",
            labels.AWAY_HEADER,
            away.build,
            has_phone=True,
        ),
        TableSpec(
            "summary",
            labels.SUMMARY_TITLE,
            "按村（社区）汇总走访与问题",
            _columns(labels.SUMMARY_HEADER_TOP[:3], labels.SUMMARY_HEADER[3:]),
            summary.build,
        ),
        TableSpec(
            "issues",
            labels.ISSUES_TITLE,
            "003 常州 附件4",
            labels.ISSUES_HEADER,
            issues_form.build,
        ),
        TableSpec(
            "halfmonth",
            labels.HALFMONTH_TITLE,
            "003 常州 附件5（每半月）",
            labels.HALFMONTH_HEADER,
            halfmonth.build,
        ),
        TableSpec(
            "no-problem",
            labels.NO_PROBLEM_TITLE,
            "004 柴胡店 附件5",
            labels.NO_PROBLEM_HEADER,
            no_problem.build,
        ),
        TableSpec(
            "problems",
            labels.PROBLEM_LIST_TITLE,
            "004 柴胡店 附件6",
            labels.PROBLEM_LIST_HEADER,
            problem_lists.build_problem_list,
        ),
        TableSpec(
            "disputes",
            labels.DISPUTES_TITLE,
            "002 附件2",
            labels.HANDLING_HEADER,
            problem_lists.build_disputes,
        ),
        TableSpec(
            "suggestions",
            labels.SUGGESTIONS_TITLE,
            "002 附件3",
            labels.HANDLING_HEADER,
            problem_lists.build_suggestions,
        ),
        TableSpec(
            "village-form",
            forms.VILLAGE_TITLE,
            "003 常州 附件1（每村一张）",
            tuple(label for pair in forms.VILLAGE_NUMBERS for label, _ in pair)
            + tuple(label.rstrip("：") for label, _ in forms.VILLAGE_TEXTS),
            village_form.build,
            has_phone=True,
        ),
        TableSpec(
            "household-form",
            forms.HOUSEHOLD_TITLE,
            "003 常州 附件3（每户一张）",
            (forms.HEAD_NAME, forms.PHONE, forms.MEMBERS, forms.ADDRESS, forms.INCOME)
            + (forms.POVERTY, forms.NEEDS, forms.SUGGESTIONS, forms.HANDLING),
            household_form.build_forms,
            has_phone=True,
        ),
        TableSpec(
            "household-list",
            forms.HOUSEHOLD_LIST_TITLE,
            "003 常州 附件3 汇总清单",
            forms.HOUSEHOLD_LIST_HEADER,
            household_form.build_list,
            has_phone=True,
        ),
        TableSpec(
            "cadre-summary",
            efforts.CADRE_SUMMARY_TITLE,
            "002 附件1（每人一行）",
            _columns(efforts.CADRE_SUMMARY_TOP[:3], efforts.CADRE_SUMMARY_HEADER[3:]),
            effort.build_cadre_summary,
        ),
        TableSpec(
            "line-summary",
            efforts.LINE_SUMMARY_TITLE,
            "000 政法线走访汇总表（按线办）",
            _columns(efforts.LINE_SUMMARY_TOP[:3], efforts.LINE_SUMMARY_HEADER[3:]),
            effort.build_line_summary,
        ),
        TableSpec(
            "quota",
            scores.QUOTA_TITLE,
            "002 每人每轮≥10户、全年≥20户；003 每人≥30户",
            (*scores.QUOTA_LEAD, *scores.QUOTA_TAIL),
            score_tables.build_quota,
        ),
        TableSpec(
            "four-checks",
            scores.CHECKS_TITLE,
            "001 回头看“四查四看”",
            scores.CHECKS_HEADER,
            score_tables.build_four_checks,
        ),
        TableSpec(
            "best-visitors",
            scores.BEST_TITLE,
            "000 总结表彰“最美走访者”",
            scores.BEST_HEADER,
            score_tables.build_best_visitors,
        ),
    )
}

# Tables that set cadres side by side (by 线办, ranked): leaders and administrators only.
# A visiting cadre may have every other table, in their own scope (their households).
LEADER_ONLY_TABLES = frozenset({"line-summary", "best-visitors"})


def tables_for(role: str) -> list[TableSpec]:
    """The tables a person of ``role`` may export in chat or on the pages, in list order."""
    leader = role in LEADER_ROLES
    return [spec for spec in TABLES.values() if leader or spec.key not in LEADER_ONLY_TABLES]
