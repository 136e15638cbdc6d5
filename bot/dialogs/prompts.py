"""Every Chinese sentence the dialog engine says (questions themselves live in the templates)."""

from __future__ import annotations

# --- commands (typed words; buttons send "cmd:<name>") ---------------------------
COMMAND_WORDS = {
    "back": ("上一步", "返回", "上一题", "退回"),
    "skip": ("跳过", "略过", "不填"),
    "cancel": ("取消", "放弃", "退出"),
    "pause": ("暂停", "稍后", "先停"),
    "progress": ("进度", "我的进度"),
    "help": ("帮助", "help", "?", "？", "怎么用"),
    "visit": ("走访", "开始走访", "下一户", "走访下一户"),
    "new": ("新增", "新增户", "登记新户"),
    "amend": ("修改", "修改记录", "改记录"),
}
CONFIRM_WORDS = ("1", "确认", "确认保存", "保存", "是", "对", "好", "提交", "ok")
RESUME_WORDS = ("1", "继续", "恢复", "是")
DISCARD_WORDS = ("2", "放弃", "不要了", "删除")
MORE_WORDS = ("更多", "下一页", "0")
AT_HOME_WORDS = ("1", "在家", "在", "是", "有人", "有人接待")
NOT_HOME_WORDS = ("2", "不在家", "不在", "否", "没人", "无人", "无人接待", "没人接待", "关门")
APPOINTMENT_WORDS = ("3", "约访", "预约", "改天")
PREFILL_WORDS = ("1", "是", "对", "沿用", "不变", "一样")

# --- generic ----------------------------------------------------------------------
WELCOME = "你好！回复「走访」开始登记一户，「进度」看完成情况，「帮助」看全部用法。"
HELP = (
    "用法：\n"
    "· 走访：列出待走访的户，回复编号、户主名或门牌（错一两个字也能找到）\n"
    "· 新增：登记名单外的户\n"
    "· 上一步：回到上一题（已答内容保留）\n"
    "· 跳过：跳过选填题\n"
    "· 暂停：保留草稿，稍后继续\n"
    "· 取消：放弃本次记录（需确认）\n"
    "· 进度：已走访/应走访、剩余重点对象、距截止天数\n"
    "· 修改：24小时内修改已提交的记录\n"
    "走访中可直接发照片或位置，会随记录一起保存。"
)
UNKNOWN_COMMAND_HERE = "这一步不能{action}。"
ALREADY_FIRST = "已经是第一步了。"
NOTHING_TO_CANCEL = "当前没有进行中的走访。"

# --- answers ----------------------------------------------------------------------
NEED_TEXT = "请输入文字回答。"
TOO_LONG = "内容太长了（最多{limit}字），请精简后再发。"
NEED_INTEGER = "请回复一个整数，例如 4。"
NEED_NUMBER = "请回复一个数字，例如 3.5。"
NEED_PHONE = "电话号码格式不对，请输入11位手机号或带区号的座机号。"
NEED_DATE = "日期格式不对，例如 2024-03-05、3月5日、今天。"
NEED_CHOICE = "请点选按钮，或回复选项编号。"
UNKNOWN_CHOICE = "没有找到选项「{token}」，请回复选项编号。"
EXCLUSIVE = "「{label}」不能和其他选项同时选。"
CONSTRAINT_DEFAULT = "回答不符合要求，请重新填写。"
REQUIRED = "这一题必须回答，不能跳过。"
SKIPPED = "（跳过）"
FIELDS_COUNT = "需要 {count} 项，收到 {got} 项。请按顺序每行一项（或用逗号隔开）：{names}"
FIELD_ERROR = "第{n}项「{label}」：{error}"

# --- picking a target -------------------------------------------------------------
PICK_HEADER = "待走访（共{left}户，重点对象优先）：回复编号或户主名/门牌"
# Households and places (shops, schools, companies…) on one list: each counted in its word.
PICK_HEADER_MIXED = (
    "待走访（共{households}户、{places}处单位或商铺，重点对象优先）：回复编号或名称/门牌"
)
PICK_HEADER_VILLAGE = "待填报村（社区）调查表（共{left}个）：回复编号或村（社区）名"
PICK_LINE = "{n}. {name} {place}{key}{extra}"
PICK_MORE = "回复「更多」看下一页；名单外的户回复「新增」。"
PICK_KEY_MARK = " ★重点"
PICK_APPOINTMENT = "（约访 {when}）"
PICK_ALL_DONE = "你负责的户都已走访完毕，辛苦了！名单外的户回复「新增」。"
PICK_NONE_FOUND = "没有找到「{query}」。请换个写法（户主名或门牌），或回复「新增」登记名单外的户。"
PICK_SEVERAL = "找到多户，请回复编号："
PICK_AGAIN = "请回复编号选择（或写户主名/门牌）："
PICK_BAD_NUMBER = "没有第{n}号，请回复列表里的编号。"
PICK_SIGNED_NUMBER = (
    "“{text}”不是列表里的编号：编号不带正负号，请回复列表里的编号（如 1），或写户主名、门牌。"
)
PICK_ALREADY_DONE = "提示：该户已有记录（{status}），继续将再记录一次。"
NEW_TARGET_ASK = "请发送新户信息：户主姓名 地址 电话（电话可不填），例如：张三 5组12号 13800000000"
NEW_TARGET_BAD = "没看懂，请按「户主姓名 地址 电话」发送，例如：张三 5组12号 13800000000"
NEW_TARGET_OK = "已记下新户 {name}（将提交管理员核对）。"

# --- at home / not at home --------------------------------------------------------
AT_HOME_ASK = "{name}（{place}）：在家吗？\n1 在家  2 不在家  3 约访（改天/晚上再来）"
AT_HOME_BUTTONS = (("home:in", "在家"), ("home:out", "不在家"), ("home:appt", "约访"))
AT_HOME_BAD = "请回复 1 在家、2 不在家 或 3 约访。"
KEY_NOT_HOME = "重点对象不在家，须电话联系。"
GENERAL_NOT_HOME = "一般农户不在家，请登记联系方式和外出情况。"
# A shop, school, company or office (target kind 'place') is received, not "at home".
PLACE_AT_HOME_ASK = "{name}（{place}）：有人接待吗？\n1 有人接待  2 无人接待  3 约访（改天再来）"
PLACE_AT_HOME_BUTTONS = (("home:in", "有人接待"), ("home:out", "无人接待"), ("home:appt", "约访"))
PLACE_AT_HOME_BAD = "请回复 1 有人接待、2 无人接待 或 3 约访。"
PLACE_NOT_RECEIVED = "无人接待，请登记联系电话和情况，改日可再访。"
APPOINTMENT_ASK = "约在什么时间？例如：今晚7点、明天下午3点、11月25日19:00"
APPOINTMENT_BAD = "没看懂时间，请写成：今晚7点、明天下午3点 或 11月25日19:00。"
APPOINTMENT_PAST = "这个时间已经过去了，请给一个之后的时间。"

# --- questions and summary ----------------------------------------------------------
QUESTION_HEAD = "【{group}】{n}/{total} {label}"
QUESTION_MULTI = "可多选：回复编号，如 1 3"
QUESTION_OPTIONAL = "（选填，可回复「跳过」）"
QUESTION_PREVIOUS = "（原回答：{value}，重新回答即可）"
QUESTION_PREFILL = "回复 1 沿用登记的 {value}，或输入新的"
GROUP_FIELDS = "请在一条消息里按顺序填写（每行一项或用逗号隔开，选填项写 -）："
SUMMARY_HEAD = "请核对 {name} 的记录：{outcome}"
SUMMARY_LINE = "{n}. {label}：{value}"
SUMMARY_PROBLEMS = "将登记问题 {count} 条："
SUMMARY_FOOT = "回复 1 确认保存；要改某项回复「改+编号」如 改2；「上一步」返回。"
SUMMARY_BUTTONS = (("confirm:yes", "确认保存"), ("cmd:back", "上一步"), ("cmd:cancel", "取消"))
EDIT_BAD = "没有第{n}项，请看上面的编号。"
SAVED = "已保存：{name}（{place}）{outcome}。"
SAVED_APPOINTMENT = "已保存：{name}（{place}）约访 {when}，到时会提醒你。"
SAVED_PROBLEMS = "登记问题 {count} 条："
SAVED_NO_PROBLEMS = "未发现问题。"
SAVED_NEXT = "回复「走访」继续下一户。"
AMENDED = "已修改：{name}（{place}）的记录（{outcome}）。"
AMENDED_APPOINTMENT = "已修改：{name}（{place}）约访改为 {when}，到时会提醒你。"
PROBLEM_LINE = "{n}. 【{kind}】{text}{handling}"
# How the door handled a problem, after its line (登记带回 says nothing: the default).
HANDLING_NOTE = {"solved": "（当场解决）", "explained": "（当场解释）", "registered": ""}
# A required free-text answer with no words in it ("1", "。", "👍") is asked once more.
SAY_MORE = "请写下具体情况，或回复 没有"

# --- pause / resume / cancel --------------------------------------------------------
PAUSED = "已暂停，草稿已保存。随时发任意消息继续。"
RESUME_OFFER = "你有一份未完成的走访：{name}（{place}），停在「{where}」。\n1 继续  2 放弃"
RESUME_BUTTONS = (("resume:yes", "继续"), ("resume:no", "放弃"))
CANCEL_ASK = "确定放弃 {name} 的这次记录吗？已填的内容将删除。\n1 确定放弃  2 继续填写"
CANCEL_BUTTONS = (("cancel:yes", "确定放弃"), ("cancel:no", "继续填写"))
CANCELLED = "已放弃本次记录。回复「走访」开始下一户。"
LEFT_LIST = "已退出。回复「走访」重新开始。"

# --- progress -----------------------------------------------------------------------
# The words of docs/facts.md: 入户走访, 电话联系, 不在家已登记, 应走访, 完成%.
PROGRESS = (
    "我的进度：入户走访 {visited} 户，电话联系 {phone} 户，不在家已登记 {away} 户，"
    "共应走访 {assigned} 户（完成 {percent}%）。\n剩余重点对象 {key_left} 户。{deadline}"
)
PROGRESS_STILL_TO_VISIT = "电话未接通 {missed} 户、约访 {pending} 户，仍在待访名单中。"
PROGRESS_KIND = "{label}：已走访 {covered} / 应走访 {assigned}。"
PROGRESS_DEADLINE = "距截止（{date}）还有 {days} 天。"
PROGRESS_OVERDUE = "已过截止日期（{date}）。"

# --- media --------------------------------------------------------------------------
MEDIA_SAVED = "已收到照片（本户第{n}张），会随记录保存。"
LOCATION_SAVED = "已记录位置，会随记录保存。"
MEDIA_NO_VISIT = "请在走访一户的过程中发送照片或位置（先回复「走访」选户）。"

# --- amend --------------------------------------------------------------------------
AMEND_HEADER = "24小时内提交的记录，回复编号修改："
AMEND_NONE = "24小时内没有可修改的走访记录。"
AMEND_LINE = "{n}. {name} {place} {outcome} {when}"

# The outcome words (issue 10 item 1; docs/facts.md defines them): exactly these in chat.
OUTCOME_TEXT = {
    "visited": "入户走访",
    "phone": "电话联系",
    "phone_missed": "电话未接通",
    "away": "不在家已登记",
    "appointment": "约访",
}
STATUS_TEXT = OUTCOME_TEXT
VILLAGE_FORM = "村（社区）调查表已填报"  # a village target's record (003 附件1), not a visit
SAVED_STILL_TODO = "该户仍在待走访名单上，请改天再上门或再打电话。"
PICK_MISSED = "（电话未接通{count}次）"
