"""The Chinese words of the export tables: titles, header cells, fixed notes."""

from __future__ import annotations

from datetime import date

AWAY_TITLE = "不在家的一般农户统计表"
AWAY_HEADER = (
    "序号",
    "村（社区）",
    "组",
    "户主姓名",
    "联系电话",
    "外出时间",
    "在外具体住址",
    "职业",
    "登记人",
    "登记日期",
)

SUMMARY_TITLE = "民情大走访活动走访汇总表"
# Columns defined in docs/facts.md (走访任务 = 应访 households; 已解决 excludes 已解释).
SUMMARY_HEADER_TOP = (
    "序号",
    "单位",
    "走访任务（户）",
    "走访情况（户）",
    "",
    "",
    "",
    "重点对象（户）",
    "",
    "收集问题（个）",
    "",
    "",
    "",
)
SUMMARY_HEADER = (
    "",
    "",
    "",
    "入户走访",
    "电话联系",
    "不在家已登记",
    "未走访",
    "应访",
    "已访",
    "合计",
    "已解决",
    "已解释",
    "待解决",
)
SUMMARY_NOTE = "口径见 docs/facts.md：走访情况按截至期末的最新走访结果计；问题按期内登记、期末状态计，已解决不含已解释。"

ISSUES_TITLE = "党员干部走访收集问题清单"
ISSUES_NOTE = "（个人填写，交本单位汇总）"
ISSUES_HEADER = ("序号", "走访对象", "反映问题或意见建议", "办理意见")
ISSUES_WHO = "走访人：{name}"
ISSUES_WHEN = "走访时间：{days}"
ISSUES_ASSIGNED = "交{unit}办理（{resp}）"
ISSUES_REGISTERED = "登记带回，拟{resp}"

HALFMONTH_TITLE = "群众入户调查问题建议汇总表"
HALFMONTH_HEADER = (
    "项目",
    "具体内容",
    "已解决（个）",
    "待解决（个）",
    "已解释（个）",
    "小计（个）",
)
HALFMONTH_NOTE = "本期登记的问题按期末状态统计；已解决只计已解决，已解释（不符合政策等已解释说明）单列（口径见 docs/facts.md）。"
HALFMONTH_SUGGESTIONS = "意见建议"
# The form's own words for a category where they differ from the ledger's.
HALFMONTH_CATEGORY_WORDS = {"其他": "其他方面"}
TOTAL = "合计"

NO_PROBLEM_TITLE = "没有问题群众清单"
NO_PROBLEM_HEADER = (
    "序号",
    "村（社区）",
    "网格（组）",
    "群众姓名",
    "家庭住址",
    "走访人",
    "走访日期",
)

PROBLEM_LIST_TITLE = "问题清单"
PROBLEM_LIST_HEADER = (
    "序号",
    "村（社区）",
    "群众姓名",
    "反映问题",
    "问题类别",
    "责任分类",
    "办理状态",
    "走访人",
    "登记日期",
)

DISPUTES_TITLE = "县乡干部大走访活动矛盾纠纷事项办理表"
SUGGESTIONS_TITLE = "县乡干部大走访活动意见建议事项办理表"
HANDLING_HEADER = (
    "序号",
    "乡镇（单位）",
    "走访对象",
    "事项内容",
    "类型",
    "走访干部",
    "登记日期",
    "责任单位",
    "办理时限",
    "办理情况",
    "办结日期",
    "回访情况",
)
DISPUTE_KINDS = ("矛盾纠纷", "信访诉求")
SUGGESTION_KINDS = ("意见建议", "政策咨询")


def scope_note(unit_label: str, period: str) -> str:
    """``单位：东山村    时间：2026-11-01 至 2026-11-15``."""
    return f"单位：{unit_label or '全部'}    时间：{period}"


def count_note(n: int) -> str:
    return f"共 {n} 条"


# --- command line (bot/cli/exports.py) -------------------------------------------

CLI_UNKNOWN_TABLE = "不认识的表“{name}”；可用：{names}（minqing export --list 查看说明）"
CLI_NEED_TABLE = "请给出表名和 --out 文件，例如：minqing export away --out 不在家.xlsx"
CLI_BAD_DATE = "{option} 日期“{value}”格式不对，应为 YYYY-MM-DD，例如 2026-11-01"
CLI_DATE_ORDER = "--from {since} 晚于 --to {until}"
CLI_NO_CAMPAIGN = "还没有进行中的走访活动：请先导入花名册（minqing import-roster）"
CLI_BAD_OUT = "--out 应为 .xlsx 文件，且所在文件夹必须存在：{path}"
CLI_WROTE = "已写入 {path}：{title}，{rows} 行"
CLI_WROTE_BOOK = "已写入 {path}：{title}，{sheets} 张表（{records} 份）"
CLI_PROGRESS = "写入"
CLI_PROGRESS_UNIT = "行"
CLI_LIST_LINE = "{key:<12}{title}（{seed}）{phone}\n            列：{columns}"
CLI_HAS_PHONE = "  含联系电话"


# --- the closing lines of every table (writer) ------------------------------------

BLANK = "________"
EMPTY_BOOK = "（本期没有记录）"


def signoff_line(unit: str, filled_by: str, reviewer: str, day: str) -> str:
    """填报单位 / 填报人 / 审核人 / 日期, blanks left for a pen."""
    return (
        f"填报单位：{unit or BLANK}    填报人：{filled_by or BLANK}    "
        f"审核人：{reviewer or BLANK}    日期：{day}"
    )


def date_words(day: object) -> str:
    """``2026年11月23日``, or ``____年__月__日`` to fill by hand."""
    if isinstance(day, date):
        return f"{day.year}年{day.month}月{day.day}日"
    return "____年__月__日"
