"""Chinese text of 导出 (tables sent as files in chat) and 报表 (the link to 总览)."""

from __future__ import annotations

HELP_LINES = (
    "导出 —— 查看可导出的表；导出 问题清单 [本周|本月|11.1-11.30] —— 生成表格，以文件发给本人",
    "报表 —— 打开走访总览页面（进度、问题台账、下载）",
)

EXPORT_WORDS = ("导出", "下载")
REPORT_WORDS = ("报表", "总览", "看板")
# Menu keys ([wecom] menu, click events) that mean the same as the words.
EXPORT_MENU_KEY = "export"
REPORT_MENU_KEY = "report"

# Short names people type, besides each table's full title and its number in the list.
ALIASES: dict[str, tuple[str, ...]] = {
    "away": ("不在家",),
    "summary": ("走访汇总", "汇总"),
    "issues": ("收集问题",),
    "halfmonth": ("半月汇总", "半月"),
    "no-problem": ("没有问题", "无问题"),
    "problems": ("问题",),
    "disputes": ("矛盾纠纷",),
    "suggestions": ("意见建议",),
    "village-form": ("村调查表",),
    "household-form": ("入户调查表",),
    "household-list": ("入户清单",),
    "cadre-summary": ("干部汇总",),
    "line-summary": ("线办汇总",),
    "quota": ("任务完成", "任务"),
    "four-checks": ("四查四看",),
    "best-visitors": ("最美走访者",),
}

LIST_TITLE = "【可导出的表】范围：{scope}"
LIST_LINE = "{n}. {title}{phone}"
LIST_HAS_PHONE = "（含联系电话）"
LIST_HINT = (
    "发送“导出 表名或序号 [时间]”，例如“导出 问题清单 本月”、“导出 {first} 11.1-11.30”、"
    "“导出 问题清单 2026-11-01至2026-11-30”。时间可写 本周、上周、本月、上月、今天、"
    "某一天或起止日期；不写时间表示活动以来全部。表格以文件只发给您本人。"
)
SCOPE_OWN = "您负责走访的户"
SCOPE_UNIT = "{unit}及下属单位"

NO_CAMPAIGN = "现在没有进行中的走访活动，没有可导出的表。"
UNKNOWN_TABLE = "没有可导出的表“{name}”。发送“导出”查看您可以导出的表。"
BAD_PERIOD = (
    "没看懂时间“{text}”，没有生成表格。可以写：本周、上周、本月、上月、今天、"
    "11.5、11.1-11.30 或 2026-11-01至2026-11-30（开始不能晚于结束）；不写表示全部。"
)
PERIOD_ALL = "活动以来全部"
PERIOD_DAYS = "{first} 至 {last}"
QUEUED = "正在生成《{title}》（{period}，范围：{scope}），生成后以文件发给您本人，请稍候。"

REPORT_NOT_CONFIGURED = (
    "走访总览页面还没有开通（管理员需在配置文件 [pages] 中设置 enabled = true 和 secret_key）。"
    "可以先发送“进度”查看文字版。"
)
REPORT_CARD_TITLE = "走访总览"
REPORT_CARD_DESCRIPTION = (
    '<div class="gray">{day}</div>'
    '<div class="normal">{unit}：走访进度、问题台账、讲评和表格下载</div>'
    '<div class="highlight">链接{hours}小时内有效，请勿转发</div>'
)
REPORT_CARD_BUTTON = "打开"
