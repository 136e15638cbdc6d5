"""Every Chinese sentence the roster import shows an administrator, in one place."""

from __future__ import annotations

from storage.safe_text import log_safe


def q(value: str) -> str:
    """Quote an offending value the way every problem line does (line breaks and
    invisible characters escaped, so one problem stays one line)."""
    return f"“{log_safe(value)}”"


# --- the file as a whole (one line, no traceback) ------------------------------


def not_a_workbook(filename: str, why: str) -> str:
    return f"{filename}: 不是有效的 Excel 工作簿（.xlsx），无法读取（{why}）；请用 Excel/WPS 另存为 .xlsx 后重试"


def old_xls(filename: str) -> str:
    return f"{filename}: 不支持旧版 .xls 格式；请用 Excel/WPS 另存为 .xlsx 后重试"


def not_a_csv(filename: str) -> str:
    return f"{filename}: 不是文本 CSV 文件，无法读取"


def csv_sheet_unknown(filename: str, name: str, known: tuple[str, ...]) -> str:
    return (
        f"{filename}: 无法确定 CSV 对应的工作表（{q(name)}）；"
        f"请把文件命名为 {'、'.join(k + '.csv' for k in known)} 之一，或用 --sheet 指定"
    )


# --- sheet and header ----------------------------------------------------------

MISSING_SHEET = "缺少工作表"
NO_SHEETS = "文件中没有可导入的工作表（单位、干部、走访对象、活动阶段）"


def missing_header(column: str) -> str:
    return f"缺少表头 {q(column)}"


def duplicate_header(column: str) -> str:
    return f"表头 {q(column)} 出现了不止一次"


# --- cells ---------------------------------------------------------------------

REQUIRED = "必填，不能为空"


def bad_phone(value: str) -> str:
    return (
        f"电话号码格式不对 {q(value)}（手机 11 位，如 13800001234；固话带区号，如 0731-84000000）"
    )


def bad_role(value: str, allowed: tuple[str, ...]) -> str:
    return f"角色不对 {q(value)}（只能是 {'、'.join(allowed)}）"


def bad_unit_kind(value: str, allowed: tuple[str, ...]) -> str:
    return f"单位类型不对 {q(value)}（只能是 {'、'.join(allowed)}）"


def bad_target_kind(value: str, allowed: tuple[str, ...]) -> str:
    return f"走访对象类型不对 {q(value)}（只能是 {'、'.join(allowed)}）"


def kind_contradicts_category(value: str, category: str) -> str:
    return f"类型 {q(value)} 与类别 {q(category)} 不符（{category}应为 单位或商铺）"


def unknown_category(value: str) -> str:
    return f"未知类别 {q(value)}（可用类别见“说明”工作表）"


def bad_member_count(value: str) -> str:
    return f"家庭成员数应为不小于 0 的整数 {q(value)}"


def member_count_too_large(value: str, limit: int) -> str:
    return f"家庭成员数过大 {q(value)}（最多 {limit}）"


def bad_date(value: str) -> str:
    return f"日期格式不对 {q(value)}（例如 2026-12-01）"


def start_after_deadline(start: str, deadline: str) -> str:
    return f"开始日期 {q(start)} 晚于截止日期 {q(deadline)}"


def name_has_digits(value: str) -> str:
    return f"姓名中不能有 5 位以上连续数字 {q(value)}（电话号码请填在电话列）"


def name_has_sensitive_word(value: str, word: str) -> str:
    return f"姓名中不能有敏感词 {q(word)} {q(value)}（对象类别请填在类别列）"


def unsafe_chars(value: str, names: list[str]) -> str:
    what = "、".join(names)
    return f"不能含有换行、控制字符或不可见字符（{what}），请删去 {q(value)}"


def too_long(value: str, limit: int) -> str:
    return f"内容过长（最多 {limit} 个字）{q(value)}"


# --- duplicates within the file ------------------------------------------------


def duplicate(column: str, value: str, first_row: int) -> str:
    return f"{column}重复 {q(value)}（与第 {first_row} 行相同）"


def duplicate_target_key(name: str, address: str, first_row: int) -> str:
    return f"户主姓名+地址重复 {q(name + ' ' + address)}（与第 {first_row} 行相同；请填写编号区分）"


# --- references ------------------------------------------------------------------


def unknown_unit(value: str) -> str:
    return f"未知单位 {q(value)}（单位工作表和数据库中都没有）"


def unit_cycle(value: str, path: list[str]) -> str:
    return f"上级单位形成循环 {q(value)}：{' → '.join(path)}"


def unknown_cadre(value: str) -> str:
    return f"未知走访干部 {q(value)}（既不是已知的企业微信账号，也不是干部姓名）"


def ambiguous_cadre(value: str, userids: list[str]) -> str:
    return f"走访干部姓名 {q(value)} 有重名（{'、'.join(userids)}），请填写企业微信账号"


def same_stored_target(first_row: int) -> str:
    return f"与第 {first_row} 行指向数据库中的同一户（按编号或户主姓名+地址识别），请核对"


def ambiguous_existing_target(name: str, address: str) -> str:
    return f"数据库中有多户户主姓名+地址都是 {q(name + ' ' + address)}，请填写编号"


def sticky_assignment(value: str, current: str) -> str:
    return f"已有走访记录，不得更换走访干部 {q(value)}（当前走访干部：{current}；一访到底）"


# --- the summary -----------------------------------------------------------------

SUMMARY_LABELS = {
    "units": "单位",
    "cadres": "干部",
    "targets": "走访对象",
    "assignments": "走访分配",
    "phases": "活动阶段",
}


def summary_line(label: str, created: int, updated: int, unchanged: int) -> str:
    return f"{label}: 新增 {created}，更新 {updated}，未变 {unchanged}"


def failed_header(count: int) -> str:
    return f"导入失败：发现 {count} 个问题，未写入任何数据。请修改后重新导入："


# --- the command line ------------------------------------------------------------

FAILED_PREFIX = "导入失败 (import failed): "
NEED_INIT_DB = "数据库未初始化或版本过旧：请先运行 minqing init-db"
DRY_RUN = "试运行（--dry-run），未写入任何数据。若正式导入将会："
PROGRESS = "导入"
READING = "读取"
PROGRESS_UNIT = "行"


def imported(filename: str, changes: int) -> str:
    return f"导入完成：{filename}（共 {changes} 处变更）"


def template_written(path: str) -> str:
    return f"已生成花名册模板：{path}"


def exported(path: str, counts: dict[str, int]) -> str:
    return f"已导出：{path}（单位 {counts['units']}，干部 {counts['cadres']}，走访对象 {counts['targets']}）"
