"""Text that must stay on one line: group messages, list lines, log lines, table cells.

Free text (a problem, a household's name typed in chat, a FromUserName) can carry
line breaks, control characters, Unicode bidi overrides and zero-width characters.
Spliced into a multi-line message they forge lines ("王\\n【紧急通知】…") or reorder
what a reader sees. Pure functions, no imports beyond the standard library.
"""

from __future__ import annotations

import re

# Bidi embeddings/overrides/isolates and the marks (U+200E/F, U+061C); zero-width
# space, joiners, word joiner and the BOM. Removed outright: they have no width.
_INVISIBLE = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u200b-\u200d\u2060\ufeff"
INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
# C0 and C1 controls (tab, CR, LF among them), DEL, and the Unicode line/paragraph
# separators: each run becomes one space.
CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_UNSAFE_RE = re.compile(f"[{_INVISIBLE}\x00-\x1f\x7f-\x9f\u2028\u2029]")

# OWASP's CSV-injection rule: a spreadsheet may read a cell starting with one of
# these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_NAMES = {"\n": "换行", "\r": "回车", "\t": "制表符"}


def one_line(text: str) -> str:
    """``text`` with invisible characters removed and control runs replaced by a space."""
    return CONTROL_RE.sub(" ", INVISIBLE_RE.sub("", text))


def unsafe_chars(text: str) -> list[str]:
    """The distinct control / invisible characters in ``text``, named for a person
    ("换行", "U+202E"), in order of first appearance; empty when the text is clean."""
    if not _UNSAFE_RE.search(text):  # the usual case: one scan, no generator
        return []
    found = dict.fromkeys(m.group(0) for m in _UNSAFE_RE.finditer(text))
    return [_NAMES.get(ch, f"U+{ord(ch):04X}") for ch in found]


def log_safe(text: str) -> str:
    """``text`` for a single log line: line breaks and controls escaped (``\\n``,
    ``\\x1b``), invisible characters shown as ``\\u202e``; nothing else changes."""
    return _UNSAFE_RE.sub(_escape, text)


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch in "\n\r\t":
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch]
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could take ``text`` for a formula (OWASP rule; leading
    spaces are skipped first, as some spreadsheets do)."""
    return text.startswith(FORMULA_STARTS) or text.lstrip(" ").startswith(FORMULA_STARTS)
