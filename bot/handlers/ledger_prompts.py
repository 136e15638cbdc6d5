"""Chinese text of the problem-ledger chat: commands, lists, notices, refusals."""

from __future__ import annotations

HELP_LINES = [
    "问题 [逾期] [类别] [状态] —— 负责人：本单位问题清单（含时限）",
    "问题 12 —— 查看问题详情和办理记录",
    "交办 12 综治办 [7天] —— 负责人：交办给承办单位（写单位全称或简称）",
    "交办 12 虹桥村 市住建局 [联动] —— 加协办单位或写明责任分类（镇村/联动/市直）",
    "受理 12 / 办结 12 已修好 / 解释 12 政策不允许 —— 办理与办结",
    "延期 12 7天 原因 —— 交办人延期一次",
    "回访 12 满意|基本满意|不满意 [说明] —— 走访干部登记回访",
    "改类 12 3 —— 更正问题分类（序号见问题详情）",
]

LIST_TITLE = "【问题清单】{scope}共{count}件{more}："
LIST_EMPTY = "没有符合条件的问题。"
LIST_ITEM = "#{id} [{status}] {category}/{kind} {target}：{text}\n    {clock}"
LIST_HINT = "发送“问题 编号”看详情，“交办 编号 单位 天数”交办。"

DETAIL = (
    "问题#{id}【{status}】\n户主：{target}（{unit}）\n内容：{text}\n"
    "类别：{category}（柴胡店口径：{category_alt}）  类型：{kind}{review}\n"
    "责任层级：{responsibility}  承办：{assignee}\n时限：{clock}"
)
DETAIL_REVIEW = "  ⚠待人工确认分类"
DETAIL_HISTORY = "办理记录："
DETAIL_EVENT = "· {at} {actor} {action}{note}"
RECLASSIFY_MENU = "分类有误？发送“改类 {id} 序号”：\n{options}"

DONE = {
    "assign": "已交办：问题#{id} → {unit}（{responsibility}），期限{deadline}。承办单位已收到通知。",
    "start": "已受理：问题#{id}，请在{deadline}前办结。",
    "solve": "已办结：问题#{id}。已请发现问题的干部回访。",
    "explain": "已解释办结：问题#{id}。已请发现问题的干部回访。",
    "extend": "已延期：问题#{id} 新期限{deadline}。",
    "follow_up": "已登记回访：问题#{id}，群众评价“{satisfaction}”。",
    "reopened": "已登记回访：问题#{id} 群众不满意，已重新打开（{status}）。",
    "solve_on_spot": "已登记当场解决：问题#{id}。",
    "explain_on_spot": "已登记当场解释：问题#{id}。",
}
RECLASSIFIED = "已更正：问题#{id} 类别为“{category}”（柴胡店口径“{category_alt}”）。"

NOTICE_ASSIGNED = (
    "【问题交办】问题#{id}已交办给{unit}，请在{deadline}前办结。\n"
    "户主：{target}\n内容：{text}\n办结后发送“办结 {id} 办理情况”。"
)
NOTICE_REOPENED = "【问题重办】问题#{id}回访群众不满意，已退回{unit}重新办理，新期限{deadline}。"
NOTICE_FOLLOW_UP = (
    "【请回访】您走访发现的问题#{id}（户主：{target}）{result}：{note}\n"
    "{how}\n回访后发送“回访 {id} 满意/基本满意/不满意 [说明]”。"
)
FOLLOW_UP_IN_PERSON = "这是{kind}，请上门回访，当面说明办理情况，做好疏导。"
FOLLOW_UP_BY_PHONE = "这是{kind}，可电话回访，及时告知办理结果。"

NOT_FOUND = "找不到问题#{id}，或它不在您的范围内。"
# The example is built from a unit that exists, so sending it works.
UNKNOWN_UNIT = "找不到单位“{name}”。{hint}例如：{example}"
UNIT_DID_YOU_MEAN = "您是不是要写：{names}？"
UNIT_CHOICES = "可交办的单位如：{names}。"
MISSING_UNIT = "请写承办单位，例如：{example}"
ASSIGN_EXAMPLE = "交办 {id} {unit} 7天"
BAD_NUMBER = "请写问题编号，例如：{example}"
BAD_DAYS = "天数写法不对：“{text}”。例如：7天"
CO_ASSIGNEES = "协办：{units}"
BAD_CATEGORY_CHOICE = "请写1到{n}之间的序号，例如：改类 {id} 2"
CONFLICT = (
    "问题#{id}刚刚被{actor}于{at}{action}，当前状态“{status}”。您的操作没有执行，"
    "请发送“问题 {id}”查看最新情况后再操作。"
)
LATEST = "（最近一次：{actor} {at} {action}）"
CARD_TITLE = "问题#{id} 分类确认"
CARD_DESC = "系统判断：{category}（{kind}）。不对请点正确的类别："
BAD_FILTER = "不认识的筛选条件“{word}”。可写：逾期、类别（如 房屋土地）、状态（如 交办、办理中）。"

# The saved-visit reply (bot/handlers/visit_ledger.py): each problem with its number
# in the ledger and the category the classifier or the template gave it.
SAVED_PROBLEM = "{line} → 问题#{id}，类别：{category}"
SAVED_PROBLEM_HINT = "类别不对？点卡片上的正确类别，或发“改类 编号 序号”（序号见“问题 编号”）。"
