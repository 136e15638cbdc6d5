"""Chinese text of the built-in handlers (help menu, greeting, polite refusals).

Areas that add commands list them in :data:`HELP_LINES` so 帮助 shows them.
"""

from __future__ import annotations

from bot.handlers import export_prompts, ledger_prompts

HELP_TITLE = "【民情大走访】可用指令："
VISIT_HELP_LINES = (
    "走访 —— 选一户登记走访（在家/不在家/约访），走访中可发照片、位置",
    "新增 —— 登记名单外的户；修改 —— 24小时内修改已提交的记录",
    "进度 —— 我的走访进度",
)
HELP_LINES: tuple[str, ...] = (
    "帮助 —— 显示本菜单",
    *VISIT_HELP_LINES,
    *ledger_prompts.HELP_LINES,
    *export_prompts.HELP_LINES,
    "模板 [编号或名称] —— 管理员：查看或切换本次活动的走访问卷",
)
HELP_FOOTER = "发送指令文字即可；任何时候发送“帮助”可再次查看本菜单。"

GREETING = "您好，{name}！欢迎使用民情大走访助手。"
UNKNOWN_USER = (
    "您好，您的企业微信账号还未登记为走访干部，暂时无法使用本助手。"
    "请联系管理员将您加入走访名单后再试。"
)
UNKNOWN_TYPE = "抱歉，暂不支持这种消息类型。请发送文字，或发送“帮助”查看可用指令。"
NOT_UNDERSTOOD = "没有听懂“{text}”。发送“帮助”查看可用指令。"
EMPTY_TEXT = "请发送文字指令，发送“帮助”查看可用指令。"


def help_text() -> str:
    return "\n".join([HELP_TITLE, *HELP_LINES, HELP_FOOTER])


# 模板 (bot/handlers/template_switch.py): administrators switch the campaign's questionnaire.
TEMPLATE_ADMIN_ONLY = "只有管理员可以查看或切换走访问卷模板。如需更换，请联系管理员。"
TEMPLATE_LIST_TITLE = "【走访问卷模板】当前：{current}"
TEMPLATE_LIST_ITEM = "{n}. {id} —— {title}（{seed}）{per_village}{mark}"
TEMPLATE_PER_VILLAGE = "【每村一份，走访时选本村】"
TEMPLATE_CURRENT_MARK = " ← 当前"
TEMPLATE_LIST_HINT = "发送“模板 编号”或“模板 名称”切换。进行中的草稿按新模板继续。"
TEMPLATE_UNKNOWN = "没有模板“{name}”。发送“模板”查看可选的模板。"
TEMPLATE_BROKEN = "模板“{name}”有误，不能使用：{error}"
TEMPLATE_SAME = "本次活动已经在用模板 {name}（{title}）。"
TEMPLATE_SWITCHED = (
    "已把活动“{campaign}”的走访问卷改为 {name}（{title}），原为 {before}。"
    "进行中的草稿按新模板继续；发送“走访”开始。"
)
