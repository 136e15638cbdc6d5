"""Periods as people type them after 导出 (bot.dialogs.timeparse.parse_period)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from bot.dialogs.timeparse import parse_period
from tests.support.clock import FROZEN_NOW  # Monday 2026-11-23 17:00 in Shanghai

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("本周", date(2026, 11, 23), date(2026, 11, 29)),
        ("上周", date(2026, 11, 16), date(2026, 11, 22)),
        ("本月", date(2026, 11, 1), date(2026, 11, 30)),
        ("上个月", date(2026, 10, 1), date(2026, 10, 31)),
        ("今天", date(2026, 11, 23), date(2026, 11, 23)),
        ("11.1-11.30", date(2026, 11, 1), date(2026, 11, 30)),
        ("11月1日到11月15日", date(2026, 11, 1), date(2026, 11, 15)),
        ("2026-11-01至2026-11-30", date(2026, 11, 1), date(2026, 11, 30)),
        ("2026-11-01 ~ 2026-12-31", date(2026, 11, 1), date(2026, 12, 31)),
        ("11.5", date(2026, 11, 5), date(2026, 11, 5)),
    ],
)
def test_periods_people_type(text: str, first: date, last: date) -> None:
    assert parse_period(text, FROZEN_NOW, SHANGHAI) == (first, last)


@pytest.mark.parametrize(
    "text", ["11.30-11.1", "13.1-13.5", "2026-02-30至2026-03-01", "下辈子", "11.1-", ""]
)
def test_a_period_that_makes_no_sense_is_none(text: str) -> None:
    assert parse_period(text, FROZEN_NOW, SHANGHAI) is None


def test_this_month_in_december_ends_on_the_31st() -> None:
    december = FROZEN_NOW.replace(month=12, day=10)
    assert parse_period("本月", december, SHANGHAI) == (date(2026, 12, 1), date(2026, 12, 31))
