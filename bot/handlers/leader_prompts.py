"""Chinese text of a leader's 进度 (the unit overview) and of the paged 问题 list."""

from __future__ import annotations

PROGRESS_WORDS = ("进度", "我的进度", "单位进度")
NO_CAMPAIGN = "现在没有进行中的走访活动。"
TITLE = "【{unit} 走访进度】应走访 {assigned} 户，已覆盖 {covered} 户（{rate}），未覆盖 {left} 户"
COVERED_MEANS = "（已覆盖 = 有过入户走访、电话联系或不在家已登记；电话未接通、约访不算）"
AS_OF = "（户数和问题数统计于 {time}，每分钟更新一次）"
NO_TARGETS = "【{unit} 走访进度】本单位还没有分配走访对象。"
BY_PLACE = "按村（社区）/网格，进度慢的在前："
BY_CADRE = "按走访干部，进度慢的在前："
LINE = "· {label}：{covered}/{assigned}（{rate}），未覆盖 {left}"
MORE_LINES = "· ……另有 {n} 项"
PROBLEMS = (
    "问题：未办结 {open} 件（登记 {registered}、交办 {assigned}、办理中 {in_progress}），"
    "其中逾期 {overdue} 件；已办结待回访 {to_follow_up} 件"
)
HINT = "发送“问题”看清单，“问题 逾期”看逾期的问题。"
OWN = "我本人：已覆盖 {covered}/{assigned} 户"

MORE_WORDS = ("更多", "下一页")
LIST_PAGE = "（第{first}–{last}件{next}）"
LIST_NEXT = "，回复“更多”看下一页"
NO_MORE = "没有更多了。发送“问题”重新查看清单。"
