"""The Chinese words of the score tables and of the digest's score lines."""

from __future__ import annotations

QUOTA_TITLE = "走访任务完成情况表"
QUOTA_LEAD = ("序号", "单位", "姓名")
QUOTA_WHOLE = "入户走访（户）"
QUOTA_TAIL = ("合计（户）", "每轮任务（户）", "总任务（户）", "完成情况")
QUOTA_MET = "达标"
QUOTA_NONE = "未设任务"


def short(missing: int) -> str:
    return f"差 {missing} 户"


def quota_note(quota: int, rounds: int, met: int, cadres: int) -> str:
    """The line under the title: the rule and how many meet it."""
    if not quota:
        return "未设每人走访任务（config campaign.quota_per_cadre = 0）；只列入户走访户数"
    per = f"每人每轮不少于 {quota} 户" + (f"，共 {rounds} 轮" if rounds > 1 else "")
    return f"任务：{per}；按入户走访计。达标 {met}/{cadres} 人"


CHECKS_TITLE = "“四查四看”情况表"
CHECKS_NOTE = "一查台账（走访完成率）二查问题解决（办结率）三查息诉息访率 四查民意测评（满意率）"
CHECKS_HEADER = (
    "序号",
    "单位",
    "应访（户）",
    "已访（户）",
    "走访完成率",
    "收集问题",
    "已办结",
    "办结率",
    "矛盾纠纷信访",
    "已化解",
    "息诉息访率",
    "回访评价",
    "满意",
    "满意率",
)

BEST_TITLE = "最美走访者候选排名"
BEST_HEADER = (
    "名次",
    "单位",
    "姓名",
    "应访（户）",
    "已访（户）",
    "走访完成率",
    "入户走访（户）",
    "发现问题（个）",
    "按期办结率",
    "回访满意率",
    "综合得分",
)
BEST_NOTE = (
    "综合得分 = 走访完成率×40% + 按期办结率×30% + 回访满意率×30%"
    "（无可计数的项不计，权重按比例分摊）；供推荐参考，由村上报、政法线核实"
)

# --- the weekly digest's section (scheduler/digest_scores.py) -------------------------

DIGEST_HEADER = "**走访任务与评分**"
DIGEST_QUOTA = "走访任务：达标 {met}/{cadres} 人（每人每轮 ≥{quota} 户，按入户走访计）"
DIGEST_QUOTA_NONE = "走访任务：未设每人任务"
DIGEST_BEHIND = "差得最多：{names}"
DIGEST_RATES = (
    "满意率 {satisfaction}（{rated} 件回访评价）；息诉息访率 {settle}（{disputes} 件矛盾纠纷/信访）"
)
DIGEST_BEST = "最美走访者候选：{names}"
