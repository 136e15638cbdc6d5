"""Dates and appointment times as cadres type them, read relative to a given ``now``.

``parse_date("3月5日", now, zone)`` -> ``date``; ``parse_when("明晚7点半", now, zone)`` ->
aware UTC ``datetime``. Both return None when the text is not understood. Times people
type are wall-clock times in the campaign's ``zone`` (``[campaign] timezone``); ``now``
is any aware datetime.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

_RELATIVE_DAYS = {
    "今天": 0,
    "今日": 0,
    "今晚": 0,
    "明天": 1,
    "明日": 1,
    "明晚": 1,
    "后天": 2,
    "昨天": -1,
}
_CN_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def cn_number(text: str) -> int | None:
    """'7' / '十二' / '二十三' -> int; None if not a number up to 99."""
    text = text.strip()
    if text.isdecimal():
        return int(text) if len(text) <= 15 else None
    if not text or any(ch not in _CN_DIGITS and ch != "十" for ch in text):
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        t = _CN_DIGITS.get(tens, 0) if tens else 1
        o = _CN_DIGITS.get(ones, 0) if ones else 0
        return t * 10 + o
    return _CN_DIGITS.get(text) if len(text) == 1 else None


def local_today(now: datetime, zone: tzinfo) -> date:
    """The calendar day ``now`` falls on in ``zone``."""
    return now.astimezone(zone).date()


_FULL_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")


def _date_part(text: str, now: datetime, zone: tzinfo) -> tuple[date | None, str]:
    """Find a date at the start of ``text``; return it and the rest of the text."""
    today = local_today(now, zone)
    text = text.strip()
    for word, offset in _RELATIVE_DAYS.items():
        if text.startswith(word):
            rest = text[len(word) :]
            if word.endswith("晚"):
                rest = "晚上" + rest
            return today + timedelta(days=offset), rest
    if m := _FULL_DATE.match(text):
        try:
            return date(int(m[1]), int(m[2]), int(m[3])), text[m.end() :]
        except ValueError:
            return None, text
    if m := _MONTH_DAY.match(text):
        try:
            found = date(today.year, int(m[1]), int(m[2]))
        except ValueError:
            return None, text
        return found, text[m.end() :]
    return None, text


def parse_date(text: str, now: datetime, zone: tzinfo) -> date | None:
    found, rest = _date_part(text, now, zone)
    if found is None or rest.strip():
        return None
    return found


_TIME = re.compile(
    r"^(?P<period>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里)?\s*"
    r"(?P<hour>\d{1,2}|[零一二两三四五六七八九十]{1,3})\s*(?:[:：点时])\s*"
    r"(?P<minute>\d{1,2}|半|[零一二三四五六七八九十]{1,3}(?:分)?)?\s*(?:分)?$"
)


def _time_part(text: str) -> time | None:
    text = text.strip().replace(" ", "")
    if not text:
        return None
    m = _TIME.match(text)
    if m is None:
        return None
    hour = cn_number(m["hour"])
    raw_minute = (m["minute"] or "").rstrip("分")
    minute = 30 if raw_minute == "半" else (cn_number(raw_minute) if raw_minute else 0)
    if hour is None or minute is None:
        return None
    if m["period"] in ("下午", "傍晚", "晚上", "夜里") and hour < 12:
        hour += 12
    if m["period"] == "中午" and hour < 6:
        hour += 12
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_when(text: str, now: datetime, zone: tzinfo) -> datetime | None:
    """An appointment time ("今晚7点", "明天下午3点半", "11-25 19:00") as aware UTC.

    Without a day, the time is today if still ahead, else tomorrow.
    """
    day, rest = _date_part(text, now, zone)
    moment = _time_part(rest)
    if moment is None:
        return None
    local_now = now.astimezone(zone)
    if day is None:
        day = local_now.date()
        if datetime.combine(day, moment, zone) <= local_now:
            day += timedelta(days=1)
    return datetime.combine(day, moment, zone).astimezone(UTC)


_DAY_TOKEN = r"(?:\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号]?|\d{1,2}\s*[./月]\s*\d{1,2}\s*[日号]?)"
_RANGE = re.compile(rf"^({_DAY_TOKEN})\s*(?:至|到|~|～|-|—|－|–)\s*({_DAY_TOKEN})$")


def parse_period(text: str, now: datetime, zone: tzinfo) -> tuple[date, date] | None:
    """A period as people type it, as inclusive local days (first, last), or None.

    本周/上周 (Monday to Sunday), 本月/上月, 今天, 昨天, one day ("11.5", "2026-11-05"),
    or a range ("11.1-11.30", "2026-11-01至2026-11-30", "11月1日到11月30日"). A month-day
    without a year is in ``now``'s year. A range whose end comes before its start is None.
    """
    text = text.strip().replace(" ", "")
    today = local_today(now, zone)
    monday = today - timedelta(days=today.weekday())
    first_of_month = today.replace(day=1)
    if text in ("本周", "这周"):
        return monday, monday + timedelta(days=6)
    if text == "上周":
        return monday - timedelta(days=7), monday - timedelta(days=1)
    if text in ("本月", "这个月"):
        return first_of_month, _month_end(first_of_month)
    if text in ("上月", "上个月"):
        previous = first_of_month - timedelta(days=1)
        return previous.replace(day=1), previous
    if text in ("今天", "昨天"):
        day = today - timedelta(days=1 if text == "昨天" else 0)
        return day, day
    if m := _RANGE.match(text):
        start, end = parse_date(m[1], now, zone), parse_date(m[2], now, zone)
        if start is None or end is None or end < start:
            return None
        return start, end
    if re.fullmatch(_DAY_TOKEN, text):
        single = parse_date(text, now, zone)
        return (single, single) if single else None
    return None


def _month_end(first: date) -> date:
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)
