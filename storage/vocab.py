"""The domain's fixed vocabularies: stored ids ↔ the Chinese words people use."""

from __future__ import annotations

UNIT_KINDS = ("县", "镇", "街道", "线办", "村", "社区", "网格", "部门", "其他")

ROLES = {"走访干部": "visitor", "负责人": "leader", "管理员": "admin"}
ROLE_LABELS = {v: k for k, v in ROLES.items()}

# Target categories (DOMAIN.md "Who is visited"). Key targets are visited by
# senior cadres and, when not at home, must be reached by phone (seed 000).
KEY_CATEGORIES = (
    "党员",
    "组长",
    "离职村干部",
    "乡贤",
    "退役军人",
    "信教人士",
    "五包一信访对象",
    "利剑护蕾对象",
    "人大代表",
    "政协委员",
    "老干部",
    "老党员",
    "老模范",
    "代表委员",
    "创业致富典型",
    "贫困群众",
    "原民代幼",
)
GENERAL_CATEGORY = "一般农户"
# Target kinds (issue: the village form is a per-village record, never a household).
TARGET_HOUSEHOLD = "household"
TARGET_VILLAGE = "village"
TARGET_PLACE = "place"
TARGET_KIND_LABELS = {
    TARGET_HOUSEHOLD: "户",
    TARGET_VILLAGE: "村（社区）",
    TARGET_PLACE: "单位或商铺",
}
PLACE_CATEGORIES = ("企业", "商铺", "学校", "医院", "市场", "机关", "企事业单位")
CATEGORIES = KEY_CATEGORIES + (GENERAL_CATEGORY,) + PLACE_CATEGORIES

# Never shown in group chats, group digests, or to cadres not assigned the target.
SENSITIVE_CATEGORIES = frozenset({"信教人士", "五包一信访对象", "利剑护蕾对象"})
# The stems people write instead of the full names (each category contains one).
SENSITIVE_STEMS = ("信教", "信访", "五包一", "利剑护蕾")
# A problem whose text names one of these (a ticked 有邪教标志或书刊, a petition, a
# minor-protection case) is told only to the assignee unit's leaders, not its staff.
SENSITIVE_PROBLEM_STEMS = ("邪教", *SENSITIVE_STEMS)

CATEGORY_SEPARATORS = "、,，;；"

# Visit outcomes and how coverage counts them (issue: not-at-home is a loop).
OUTCOME_VISITED = "visited"
OUTCOME_PHONE = "phone"
OUTCOME_AWAY = "away"
OUTCOME_APPOINTMENT = "appointment"
# A key target not at home whose phone call did not get through: stays on the list.
OUTCOME_PHONE_MISSED = "phone_missed"
# Outcomes that cover a target (take it off the to-visit list, count in 完成%).
COVERING_OUTCOMES = (OUTCOME_VISITED, OUTCOME_PHONE, OUTCOME_AWAY)

# Problems.
PROBLEM_KINDS = ("困难需求", "意见建议", "矛盾纠纷", "安全隐患", "信访诉求", "政策咨询")
CATEGORIES_CHANGZHOU = (
    "房屋土地",
    "医疗卫生",
    "教育文化",
    "平安治理",
    "就业创业",
    "社会保障",
    "其他",
)
CATEGORIES_CHAIHUDIAN = (
    "居住环境",
    "社会治安",
    "基本医疗",
    "文体生活",
    "基础教育",
    "社会帮扶",
    "其他",
)
RESPONSIBILITY = {"town": "镇村解决", "linked": "镇与市直部门联动", "city": "市直部门"}
PROBLEM_STATUS = {
    "registered": "登记",
    "assigned": "交办",
    "in_progress": "办理中",
    "solved": "已解决",
    "explained": "已解释",
    "followed_up": "已回访",
}
SATISFACTION = ("满意", "基本满意", "不满意")


def split_categories(cell: str) -> list[str]:
    """Split a 类别 cell on 、 , ， ; ；; empty means 一般农户."""
    text = cell or ""
    for sep in CATEGORY_SEPARATORS[1:]:
        text = text.replace(sep, CATEGORY_SEPARATORS[0])
    parts = [p.strip() for p in text.split(CATEGORY_SEPARATORS[0])]
    parts = [p for p in parts if p]
    return parts or [GENERAL_CATEGORY]


def is_key_target(categories: list[str]) -> bool:
    return any(c in KEY_CATEGORIES for c in categories)


def is_sensitive_problem(text: str) -> bool:
    return any(stem in text for stem in SENSITIVE_PROBLEM_STEMS)


# What people write in the roster's 类型 column -> the stored target kind.
TARGET_KIND_WORDS = {
    **{label: kind for kind, label in TARGET_KIND_LABELS.items()},
    **{kind: kind for kind in TARGET_KIND_LABELS},
    "家庭": TARGET_HOUSEHOLD,
    "农户": TARGET_HOUSEHOLD,
    "住户": TARGET_HOUSEHOLD,
    "村": TARGET_VILLAGE,
    "社区": TARGET_VILLAGE,
    "单位": TARGET_PLACE,
    "商铺": TARGET_PLACE,
    "单位商铺": TARGET_PLACE,
}


def kind_of_categories(categories: list[str] | tuple[str, ...]) -> str:
    """The target kind its categories imply: 'place' when one is a 004 place category
    (机关, 企事业单位, 学校, 商铺, 医院, 市场, 企业), else 'household'. A village is never
    implied by categories; the roster's 类型 column or the village form says so."""
    return TARGET_PLACE if any(c in PLACE_CATEGORIES for c in categories) else TARGET_HOUSEHOLD
