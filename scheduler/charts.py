"""The weekly digest's chart: coverage by unit and problems by category, as a PNG.

Chinese labels need a CJK font. :func:`cjk_font` finds one matplotlib knows about
that really has the glyphs (the project's set-up installs fonts-wqy-microhei) and
raises :class:`NoCJKFontError` otherwise — a chart of empty boxes is worse than none.
Rendering uses the Agg backend and a private Figure (no pyplot state, thread-safe).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager, rc_context  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ft2font import FT2Font  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from storage.progress import UnitCoverage  # noqa: E402

PREFERRED_FONTS = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
)
PROBE = "走访问题已解决"
MIN_ROWS = 6  # the problem panel's height in bars
# Room for the rotated unit names below and the category names between the panels.
MARGINS = {"left": 0.05, "right": 0.985, "bottom": 0.16, "top": 0.86, "wspace": 0.28}
# matplotlib ships "Last Resort", whose charmap claims every character and draws each
# as a box: it must never count as covering Chinese.
PLACEHOLDER_FONTS = ("Last Resort",)


class NoCJKFontError(RuntimeError):
    """No installed font can draw Chinese; install fonts-wqy-microhei (see .ci/setup)."""


@dataclass(frozen=True)
class CJKFont:
    name: str
    path: str


def _covers(path: str, text: str) -> bool:
    try:
        charmap = FT2Font(path).get_charmap()
    except (OSError, RuntimeError):
        return False
    return all(ord(ch) in charmap for ch in text)


def cjk_font(probe: str = PROBE) -> CJKFont:
    """A font known to matplotlib whose glyphs cover ``probe``, preferred names first."""
    entries = font_manager.fontManager.ttflist
    ranked = sorted(
        entries,
        key=lambda e: PREFERRED_FONTS.index(e.name) if e.name in PREFERRED_FONTS else 99,
    )
    for entry in ranked:
        if entry.name.startswith(PLACEHOLDER_FONTS):
            continue
        if _covers(entry.fname, probe):
            return CJKFont(entry.name, entry.fname)
    raise NoCJKFontError(
        "no CJK font found by matplotlib: install fonts-wqy-microhei (bash .ci/setup) "
        "and remove ~/.cache/matplotlib"
    )


def weekly_chart(
    title: str,
    coverage: Sequence[UnitCoverage],
    problems: Sequence[tuple[str, int, int]],
) -> bytes:
    """PNG bytes: stacked coverage bars per unit, and 已解决 (solved only) / 待解决 per category."""
    font = cjk_font()
    rc: Any = {
        "font.family": "sans-serif",
        "font.sans-serif": [font.name],
        "axes.unicode_minus": False,
        "font.enable_last_resort": False,  # a missing glyph warns instead of drawing a box
    }
    with rc_context(rc):
        fig = Figure(figsize=(10, 5.2), dpi=110)
        FigureCanvasAgg(fig)
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
        units = [c.unit for c in coverage] or ["（无）"]
        visited = [c.visited for c in coverage] or [0]
        phone = [c.phone for c in coverage] or [0]
        away = [c.away for c in coverage] or [0]
        missing = [c.not_visited for c in coverage] or [0]
        # The words and stacking of docs/facts.md: 入户走访 + 电话联系 + 不在家已登记 = 已覆盖.
        left.bar(units, visited, label="入户走访", color="#2e7d32")
        left.bar(units, phone, bottom=visited, label="电话联系", color="#f9a825")
        reached = [a + b for a, b in zip(visited, phone, strict=True)]
        left.bar(units, away, bottom=reached, label="不在家已登记", color="#8d6e63")
        base = [a + b for a, b in zip(reached, away, strict=True)]
        left.bar(units, missing, bottom=base, label="未走访", color="#bdbdbd")
        for x, (done, total) in enumerate(
            zip(base, [c.assigned for c in coverage] or [0], strict=True)
        ):
            left.annotate(
                f"{done}/{total}",
                (x, total),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                fontsize=8,
            )
        left.set_title("走访覆盖（户）")
        left.set_ylim(0, max([1, *(c.assigned for c in coverage)]) * 1.25)  # room for the legend
        left.yaxis.set_major_locator(MaxNLocator(integer=True))
        left.legend(loc="upper left", ncols=4, fontsize=8)
        left.tick_params(axis="x", labelrotation=30)
        rows = [r for r in problems if r[1] or r[2]] or [("（无）", 0, 0)]
        labels = [r[0] for r in rows]
        ys = range(len(rows))
        right.barh(ys, [r[1] for r in rows], label="已解决", color="#1565c0")
        right.barh(
            ys, [r[2] for r in rows], left=[r[1] for r in rows], label="待解决", color="#e53935"
        )
        right.set_yticks(list(ys), labels)
        right.set_title("问题办理（个）")
        right.set_xlim(0, max([1, *(r[1] + r[2] for r in rows)]) * 1.3)
        right.xaxis.set_major_locator(MaxNLocator(integer=True))
        right.legend(loc="lower right", fontsize=8)
        # A free row below the bars for the legend; at least MIN_ROWS rows tall so one
        # or two categories do not become slabs filling the panel.
        right.set_ylim(max(len(rows), MIN_ROWS) - 0.5 + 0.9, -0.6)
        fig.suptitle(title)
        # Fixed margins for the fixed size: tight_layout measured every label once more,
        # ~30 % of a chart (measured interleaved, 3.1 s → 2.2 s under load).
        fig.subplots_adjust(**MARGINS)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    return buf.getvalue()
