"""Single-cell parsers: phone numbers, dates, whole numbers. Pure functions.

Each returns the normalised value, or ``None`` when the text is malformed, so the
caller can report the problem with the sheet, row and column it knows.
"""

from __future__ import annotations

import re
from datetime import date

MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"(0\d{2,3})-?(\d{7,8})(?:-(\d{1,6}))?")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_phone(text: str) -> str | None:
    """Mainland mobile (13800001234, +86 allowed) or landline with area code.

    Mobiles come back as 11 digits, landlines as ``0731-84000000[-123]``;
    empty text gives "". Spaces and dashes inside a mobile number are ignored.
    """
    t = re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")")
    if not t:
        return ""
    digits = t.replace("-", "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if MOBILE.fullmatch(digits):
        return digits
    bracketed = re.fullmatch(r"\((0\d{2,3})\)(.*)", t)
    if bracketed:
        t = f"{bracketed.group(1)}-{bracketed.group(2)}"
    m = LANDLINE.fullmatch(t)
    if m:
        area, number, ext = m.groups()
        return f"{area}-{number}" + (f"-{ext}" if ext else "")
    return None


def parse_date(text: str) -> date | None:
    """2026-12-01, 2026/12/1, 2026.12.1 or 2026年12月1日 (a trailing time is ignored)."""
    m = _DATE.match(text.strip())
    if not m:
        return None
    rest = text.strip()[m.end() :].strip()
    if rest and not re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", rest):
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def parse_count(text: str) -> int | None:
    """A whole number ≥ 0 ("3", "3.0"); anything else is None."""
    t = text.strip()
    if re.fullmatch(r"\d+", t):
        return int(t)
    if re.fullmatch(r"\d+\.0+", t):
        return int(t.split(".")[0])
    return None
