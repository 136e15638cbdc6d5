"""The words of the per-person and per-office summaries (002 附件1, 000 走访汇总表)."""

from __future__ import annotations

from storage.vocab import CATEGORIES_CHANGZHOU

CADRE_SUMMARY_TITLE = "县乡干部大走访活动汇总表"
CADRE_SUMMARY_TOP = (
    "序号",
    "单位",
    "姓名",
    "走访户数（户）",
    "",
    "",
    "",
    "收集问题（件）",
    "",
    "",
    "办理情况（件）",
    "",
)
CADRE_SUMMARY_HEADER = (
    "",
    "",
    "",
    "入户走访",
    "电话联系",
    "不在家已登记",
    "合计",
    "矛盾纠纷",
    "意见建议",
    "其他",
    "已办结",
    "未办结",
)

LINE_SUMMARY_TITLE = "民情大走访意见建议汇总表"
LINE_SUMMARY_NOTE = "政法线汇总各线办收集的意见建议（按走访干部所在单位）"
LINE_SUMMARY_TOP = (
    "序号",
    "线办（单位）",
    "收集（件）",
    *(["按类别（件）"] + [""] * (len(CATEGORIES_CHANGZHOU) - 1)),
    "办理情况（件）",
    "",
    "",
    "",
)
LINE_SUMMARY_HEADER = (
    "",
    "",
    "",
    *CATEGORIES_CHANGZHOU,
    "已解决",
    "已解释",
    "待办理",
    "其中逾期",
)
