"""The roster workbook's layout: sheet names, their header rows, required columns.

This is the one place that knows the Chinese column names; the reader, the
validator, the template and the exporter all take them from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage import vocab

UNITS = "单位"
CADRES = "干部"
TARGETS = "走访对象"
PHASES = "活动阶段"
NOTES = "说明"


@dataclass(frozen=True)
class SheetSpec:
    name: str
    headers: tuple[str, ...]
    required: frozenset[str]  # columns whose cells must not be empty
    optional_sheet: bool = False
    optional_columns: frozenset[str] = frozenset()  # headers an older file may lack


SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec(UNITS, ("单位名称", "上级单位", "类型"), frozenset({"单位名称", "类型"})),
    SheetSpec(
        CADRES,
        ("姓名", "企业微信账号", "单位", "角色", "手机"),
        frozenset({"姓名", "企业微信账号", "单位", "角色"}),
    ),
    SheetSpec(
        TARGETS,
        (
            "编号",
            "户主姓名",
            "所属村社区",
            "组网格",
            "地址",
            "联系电话",
            "类别",
            "家庭成员数",
            "走访干部",
            "类型",
        ),
        frozenset({"户主姓名", "所属村社区"}),
        optional_columns=frozenset({"类型"}),
    ),
    SheetSpec(
        PHASES,
        ("阶段名称", "开始日期", "截止日期"),
        frozenset({"阶段名称", "截止日期"}),
        optional_sheet=True,
    ),
)
SPECS = {spec.name: spec for spec in SHEETS}


# What each column means, for the template's 说明 sheet and docs/roster.md:
# (sheet, column, required, explanation, example).
COLUMN_NOTES: tuple[tuple[str, str, str, str, str], ...] = (
    (UNITS, "单位名称", "必填", "单位的全称，全表唯一；其他工作表用这个名称引用单位", "虹桥村"),
    (UNITS, "上级单位", "选填", "上级单位的单位名称；最顶层（如镇）留空。不能形成循环", "虹桥镇"),
    (UNITS, "类型", "必填", "县、镇、街道、线办、村、社区、网格、部门、其他 之一", "村"),
    (CADRES, "姓名", "必填", "干部姓名", "张伟"),
    (CADRES, "企业微信账号", "必填", "企业微信通讯录中的账号（UserID），全表唯一", "zhangwei"),
    (CADRES, "单位", "必填", "所在单位，须是“单位”工作表或系统中已有的单位名称", "虹桥村"),
    (CADRES, "角色", "必填", "走访干部、负责人、管理员 之一", "走访干部"),
    (CADRES, "手机", "选填", "11 位手机号，或带区号的固话（如 0731-84000000）", "13800001234"),
    (
        TARGETS,
        "编号",
        "选填",
        "走访对象编号，全表唯一；填写后按编号更新，否则按 户主姓名+地址 更新",
        "HQ-0001",
    ),
    (TARGETS, "户主姓名", "必填", "户主姓名；商铺、企业、学校填名称", "李四"),
    (TARGETS, "所属村社区", "必填", "所属村或社区的单位名称", "虹桥村"),
    (TARGETS, "组网格", "选填", "村民小组或网格", "3组"),
    (TARGETS, "地址", "选填", "门牌地址；没有编号时与户主姓名一起识别同一户", "3组15号"),
    (TARGETS, "联系电话", "选填", "手机或带区号的固话", "13800001111"),
    (
        TARGETS,
        "类别",
        "选填",
        "可填多个，用 、 , ， ; 分隔；留空即“一般农户”。可用类别：" + "、".join(vocab.CATEGORIES),
        "党员、退役军人",
    ),
    (TARGETS, "家庭成员数", "选填", "不小于 0 的整数", "4"),
    (
        TARGETS,
        "走访干部",
        "选填",
        "负责走访的干部：企业微信账号，或不重名的干部姓名。已有走访记录的户不得更换（一访到底）；留空则不改变已有分配",
        "zhangwei",
    ),
    (
        TARGETS,
        "类型",
        "选填",
        "户、村（社区）、单位或商铺 之一；留空时按类别判断（机关、企事业单位、学校、商铺、医院、"
        "市场、企业 为单位或商铺，其余为户）。村（社区）是每村一份的村（社区）调查表",
        "户",
    ),
    (
        PHASES,
        "阶段名称",
        "必填",
        "活动阶段名称，按行的先后排序；整张表替换当前活动的阶段，空表不改变",
        "走访排查",
    ),
    (PHASES, "开始日期", "选填", "日期，如 2026-12-01", "2026-12-01"),
    (PHASES, "截止日期", "必填", "日期；系统据此发送截止提醒", "2026-12-31"),
)
