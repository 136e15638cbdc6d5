"""The words of the seed-003 paper forms (附件1 村（社区）调查表, 附件3 群众入户调查表),
cell by cell, with the questionnaire field each blank is filled from."""

from __future__ import annotations

# --- 003 附件1 村（社区）调查表 (template changzhou_village) --------------------------

VILLAGE_TEMPLATE = "changzhou_village"
VILLAGE_TITLE = "村（社区）调查表"
VILLAGE_BASIC = "基本情况"
# Two label/answer pairs per row, as on the form.
VILLAGE_NUMBERS = (
    (("总户数", "households"), ("总人口", "population")),
    (
        ("人均可支配收入（元）", "income_per_capita"),
        ("村（社区）干部平均年收入（元）", "cadre_income"),
    ),
    (("自然村个数", "natural_villages"), ("村民小组个数", "groups_count")),
    (("党员人数", "party_members"), ("党支部个数", "branches")),
    (
        ("大学生村官人数", "graduate_officials"),
        ("村（社区）集体总收入（万元）", "collective_income"),
    ),
    (
        ("村（社区）经营性收入（万元）", "business_income"),
        ("村（社区）集体总资产（万元）", "collective_assets"),
    ),
)
VILLAGE_DIFFICULTIES = "本村存在的主要困难和发展对策建议（可另附纸）"
VILLAGE_TEXTS = (
    ("基层党建方面：", "party_text"),
    ("村级经济发展方面：", "economy_text"),
    ("公共服务方面：", "services_text"),
    ("社会治理及稳定方面：", "governance_text"),
    ("就业创业方面：", "jobs_text"),
    ("其他方面：", "other_text"),
)


def village_secretary_line(village: str, secretary: str, phone: str) -> str:
    return f"村（社区）：{village}  书记：{secretary or '____'}  电话：{phone or '____'}"


def village_visitor_line(unit: str, contact: str, phone: str) -> str:
    return f"走访单位：{unit or '____'}  联系人：{contact or '____'}  电话：{phone or '____'}"


def form_date_line(label: str, words: str) -> str:
    return f"{label}：{words}"


# --- 003 附件3 群众入户调查表 (template changzhou_household) -------------------------

HOUSEHOLD_TITLE = "群众入户调查表"
HOUSEHOLD_LIST_TITLE = "群众入户调查表（汇总清单）"
HEAD_NAME = "户主姓名"
PHONE = "联系电话"
MEMBERS = "家庭成员数"
ADDRESS = "家庭住址"
INCOME = "家庭收入情况（家境情况）"
POVERTY = "致贫原因及现状（贫困户填写）"
NEEDS = "困难需求（贫困户填写）"
SUGGESTIONS = "意见建议（对居住、就医、教育、文化、平安、社保等）"
HANDLING = "意见建议处理落实情况"
HARDSHIP_KIND = "困难需求"


def household_place_line(place: str) -> str:
    return f"所属地：{place}"


def collector_line(cadre: str, unit: str, day: str) -> str:
    return f"采集人（单位）：{cadre}（{unit}）    走访日期：{day}"


HOUSEHOLD_LIST_HEADER = (
    "序号",
    "村（社区）",
    "户主姓名",
    "联系电话",
    "家庭成员数",
    "家庭住址",
    "家庭收入情况",
    "困难需求",
    "意见建议",
    "处理落实情况",
    "采集人",
    "走访日期",
)
