"""Chinese text of the built-in handlers (help menu, greeting, polite refusals).

Areas that add commands add a line to :data:`HELP_LINES` so 帮助 lists them.
"""

from __future__ import annotations

HELP_TITLE = "【民情大走访】可用指令："
HELP_LINES: list[str] = [
    "帮助 —— 显示本菜单",
]
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
