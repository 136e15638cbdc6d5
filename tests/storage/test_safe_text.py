"""Text on one line: what is removed, what becomes a space, what a log line shows."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from storage.safe_text import log_safe, looks_like_formula, one_line, unsafe_chars


def test_line_breaks_become_spaces_and_invisible_characters_go():
    assert one_line("王\n【紧急通知】今晚8点") == "王 【紧急通知】今晚8点"
    assert one_line("a\r\n\tb") == "a b"
    assert one_line("黄\u202e三\u200b\u2066家\ufeff") == "黄三家"
    assert one_line("普通的一行 text 123") == "普通的一行 text 123"


def test_unsafe_characters_are_named_for_a_person():
    assert unsafe_chars("王\n五\u202e\n") == ["换行", "U+202E"]
    assert unsafe_chars("王五") == []


def test_a_log_line_shows_the_escapes():
    assert log_safe("hq001\n2026-11-23 INFO forged") == "hq001\\n2026-11-23 INFO forged"
    assert log_safe("a\u202eb\x1b") == "a\\u202eb\\x1b"


def test_formula_like_text():
    for text in ("=1+1", "+1", "-2", "@SUM(A1)", "\t=1", "\r=1", "  =1"):
        assert looks_like_formula(text)
    for text in ("王五", "1+1", "", "电话=138"):
        assert not looks_like_formula(text)


@given(st.text())
def test_one_line_leaves_no_line_break_and_nothing_unsafe(text):
    line = one_line(text)
    assert unsafe_chars(line) == []
    assert len(line.splitlines()) <= 1


@given(st.text())
def test_log_safe_is_one_line(text):
    assert len(log_safe(text).splitlines()) <= 1
