"""The empty roster workbook administrators fill in (``minqing roster-template``)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from storage import vocab
from storage.roster.sheets import CADRES, COLUMN_NOTES, NOTES, SHEETS, UNITS
from storage.xlsx_cells import save_workbook

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WIDE = {
    "地址": 24,
    "类别": 24,
    "单位名称": 20,
    "上级单位": 20,
    "所属村社区": 16,
    "企业微信账号": 18,
}
# Drop-down lists where the allowed values are short enough for Excel's 255-char limit.
CHOICES = {(UNITS, "类型"): vocab.UNIT_KINDS, (CADRES, "角色"): tuple(vocab.ROLES)}
VALIDATED_ROWS = 5000


def write_header(ws: Worksheet, headers: tuple[str, ...]) -> None:
    """Row 1: bold, shaded headers; sensible widths; the header row frozen."""
    ws.append(list(headers))
    for i, header in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(i)].width = WIDE.get(header, 14)
    ws.freeze_panes = "A2"


def new_roster_workbook() -> Workbook:
    """A workbook with every roster sheet and its header row (no data)."""
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for spec in SHEETS:
        ws = wb.create_sheet(spec.name)
        write_header(ws, spec.headers)
        for i, header in enumerate(spec.headers, start=1):
            choices = CHOICES.get((spec.name, header))
            if choices:
                letter = get_column_letter(i)
                dv = DataValidation(
                    type="list",
                    formula1='"' + ",".join(choices) + '"',
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle="取值不对",
                    error="只能是：" + "、".join(choices),
                )
                dv.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
                ws.add_data_validation(dv)
    return wb


def write_notes(wb: Workbook) -> None:
    ws = wb.create_sheet(NOTES)
    write_header(ws, ("工作表", "列", "必填", "说明", "示例"))
    ws.column_dimensions["D"].width = 70
    ws.column_dimensions["E"].width = 18
    for note in COLUMN_NOTES:
        ws.append(list(note))
        ws.cell(row=ws.max_row, column=4).alignment = Alignment(wrap_text=True, vertical="top")
    ws.append([])
    ws.append(["", "", "", "导入：minqing import-roster 花名册.xlsx（先加 --dry-run 检查）"])
    ws.append(["", "", "", "有任何错误时整份文件不导入，并逐条列出“工作表 行 列: 原因”"])
    ws.append(
        ["", "", "", "重复导入同一文件不会改变任何数据；修改后的行按编号（或户主姓名+地址）更新"]
    )


def write_template(path: str | Path) -> None:
    """Write the empty roster workbook with a 说明 sheet to ``path``."""
    wb = new_roster_workbook()
    write_notes(wb)
    save_workbook(wb, path)
