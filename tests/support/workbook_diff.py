"""What a person sees of a workbook, as comparable data: every sheet's cells (value,
bold, size, borders, alignment, number format, quote prefix), merges, widths, row
heights, frozen panes, print titles and page setup. Two workbooks a clerk could not
tell apart give the same :func:`appearance`; :func:`differences` names what differs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl


def _cell(cell: Any) -> tuple[Any, ...]:
    value = cell.value
    if value == "":
        value = None  # an empty text cell and an empty cell look the same
    font, border, align = cell.font, cell.border, cell.alignment
    return (
        value,
        bool(font.b),
        float(font.sz or 11),
        tuple((getattr(border, side).style or None) for side in ("left", "right", "top", "bottom")),
        align.horizontal or "general",
        align.vertical or "bottom",
        bool(align.wrap_text),
        cell.number_format if value is not None or cell.has_style else "General",
        bool(cell.quotePrefix),
    )


def _is_blank(look: tuple[Any, ...]) -> bool:
    return look == (None, False, 11.0, (None,) * 4, "general", "bottom", False, "General", False)


def _widths(ws: Any) -> dict[int, float]:
    """Width by column number (a file may give one width to a run of columns)."""
    out = {}
    for d in ws.column_dimensions.values():
        if d.customWidth and d.min is not None:
            for column in range(d.min, (d.max or d.min) + 1):
                out[column] = round(d.width, 3)
    return out


def appearance(path: Path) -> list[dict[str, Any]]:
    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for cell in row:
                look = _cell(cell)
                if not _is_blank(look):
                    cells[cell.coordinate] = look
        ps, margins = ws.page_setup, ws.page_margins
        sheets.append(
            {
                "name": ws.title,
                "cells": cells,
                # a one-cell "merge" (the openpyxl writer made one for a one-column
                # sheet's closing line) shows nothing
                "merges": sorted(str(r) for r in ws.merged_cells.ranges if ":" in str(r)),
                "widths": _widths(ws),
                "heights": {
                    k: d.height for k, d in ws.row_dimensions.items() if d.height is not None
                },
                "freeze": ws.freeze_panes,
                "print_titles": ws.print_title_rows,
                "page": (
                    ps.orientation,
                    int(ps.paperSize or 0),
                    int(ps.fitToWidth if ps.fitToWidth is not None else 1),
                    int(ps.fitToHeight if ps.fitToHeight is not None else 1),
                    bool(
                        ws.sheet_properties.pageSetUpPr
                        and ws.sheet_properties.pageSetUpPr.fitToPage
                    ),
                    bool(ws.print_options.horizontalCentered),
                    (margins.left, margins.right, margins.top, margins.bottom),
                    (margins.header, margins.footer),
                ),
            }
        )
    return sheets


def differences(old: Path, new: Path, limit: int = 20) -> list[str]:
    """What differs between the two workbooks, as lines (empty: they look the same)."""
    a, b = appearance(old), appearance(new)
    out: list[str] = []
    if [s["name"] for s in a] != [s["name"] for s in b]:
        out.append(f"sheet names {[s['name'] for s in a][:5]} != {[s['name'] for s in b][:5]}")
    for sa, sb in zip(a, b, strict=False):
        for key in sa:
            if key == "cells":
                for coord in sorted(set(sa["cells"]) | set(sb["cells"])):
                    ca, cb = sa["cells"].get(coord), sb["cells"].get(coord)
                    if ca != cb:
                        out.append(f"{sa['name']}!{coord}: {ca} != {cb}")
            elif sa[key] != sb[key]:
                out.append(f"{sa['name']} {key}: {sa[key]} != {sb[key]}")
            if len(out) >= limit:
                return out
    return out
