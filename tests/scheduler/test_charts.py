"""The weekly chart: a real CJK font is found and every Chinese glyph is drawn."""

from __future__ import annotations

import warnings

import pytest
from matplotlib.ft2font import FT2Font

from scheduler import charts
from storage.progress import UnitCoverage


def test_a_cjk_font_with_the_glyphs_for_zoufang_is_installed():
    # Fails (never skips) when the set-up did not install fonts-wqy-microhei or similar.
    font = charts.cjk_font()
    assert not font.name.startswith("Last Resort")  # matplotlib's box-drawing fallback
    charmap = FT2Font(font.path).get_charmap()
    assert all(ord(ch) in charmap for ch in "走访已解决待解决电话联系未走访")


def test_the_weekly_chart_renders_without_missing_glyphs(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)"
        png = charts.weekly_chart(
            "虹桥镇 每周简报 2026-W48",
            [UnitCoverage("东山村", 7, 3, 2, 3, 2), UnitCoverage("西河村", 5, 1, 0, 1, 1)],
            [("困难需求", 1, 0), ("房屋土地", 0, 1)],
        )
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    (tmp_path / "weekly.png").write_bytes(png)


def test_an_empty_week_still_renders():
    assert charts.weekly_chart("空", [], []).startswith(b"\x89PNG")


def test_no_font_for_the_text_is_a_loud_error():
    with pytest.raises(charts.NoCJKFontError, match="fonts-wqy-microhei"):
        charts.cjk_font(probe="\U000f0000")  # a private-use character no font covers
