"""Every Chinese word the /m/ pages show (titles, labels, messages), in one place."""

from __future__ import annotations

APP = "民情大走访"
OVERVIEW = "总览"
PROBLEMS = "问题台账"
REVIEW = "讲评"
DOWNLOADS = "下载"
ROSTER = "名册"

OUTCOMES = {
    "visited": "入户走访",
    "phone": "电话联系",
    "away": "不在家已登记",
    "phone_missed": "电话未接通",
    "appointment": "约访",
}

LOGIN_FAILED = "登录失败"
LOGIN_AGAIN = "企业微信授权没有成功，请从企业微信应用里重新打开本页面。"
FORBIDDEN = "无权查看"
FORBIDDEN_TEXT = "您不在本次走访的名册中，或没有查看这一页的权限。"
NOT_FOUND = "找不到"
NOT_FOUND_TEXT = "没有这一项，或它不在您的查看范围内。"
NO_CAMPAIGN = "还没有进行中的走访活动（请管理员先导入名册）。"

ACTION_DONE = "已{action}：问题#{id}。"
STALE = "问题#{id}刚被{actor}在{at}{action}过（当前：{status}），页面已刷新，请确认后再操作。"
BAD_NUMBER = "{what}要填1到365之间的天数。"
NEED_UNIT = "请选择承办单位。"

PERIODS = {"week": "本周", "month": "本月", "all": "全部", "custom": "起止日期"}
BAD_DATES = "日期要写成 2026-11-01 这样，且开始不晚于结束。"

ROSTER_NO_FILE = "请选择一个名册文件（.xlsx 或 .csv）。"
ROSTER_EXPIRED = "上传的文件已过期，请重新上传。"
ROSTER_PROBLEMS = "名册有 {n} 处问题，没有写入任何内容。请改正后重新上传："
ROSTER_DRY_RUN = "检查通过（试导入，尚未写入）。确认后将写入："
ROSTER_DONE = "名册已导入：{changes} 处变更。"
