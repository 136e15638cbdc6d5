"""Cell parsers: phones, dates, counts (pure, no database)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.roster.cells import parse_count, parse_date, parse_phone
from storage.roster.reader import cell_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13800001234", "13800001234"),
        ("138 0000 1234", "13800001234"),
        ("138-0000-1234", "13800001234"),
        ("+8613800001234", "13800001234"),
        ("8613800001234", "13800001234"),
        ("0731-84000000", "0731-84000000"),
        ("073184000000", "0731-84000000"),
        ("010-12345678", "010-12345678"),
        ("（0731）84000000", "0731-84000000"),
        ("0731-84000000-123", "0731-84000000-123"),
        ("", ""),
        ("12800001234", None),  # no mobile prefix 12
        ("1380000123", None),  # 10 digits
        ("138000012345", None),
        ("84000000", None),  # landline without area code
        ("电话", None),
    ],
)
def test_parse_phone(text, expected):
    assert parse_phone(text) == expected


@given(st.sampled_from("3456789"), st.text("0123456789", min_size=9, max_size=9))
def test_every_mainland_mobile_is_accepted_as_itself(second, rest):
    number = "1" + second + rest
    assert parse_phone(number) == number
    assert parse_phone(f"{number[:3]} {number[3:7]} {number[7:]}") == number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("2026/12/1", date(2026, 12, 1)),
        ("2026.12.01", date(2026, 12, 1)),
        ("2026年12月1日", date(2026, 12, 1)),
        ("2026-12-01 00:00:00", date(2026, 12, 1)),
        ("2026-02-30", None),
        ("12月1日", None),
        ("2026-12-01 下午", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3", 3), ("0", 0), ("3.0", 3), ("2.5", None), ("-1", None), ("三", None), ("3人", None)],
)
def test_parse_count(text, expected):
    assert parse_count(text) == expected


def test_cell_text_reads_excel_numbers_as_people_do():
    assert cell_text(13800001234.0) == "13800001234"
    assert cell_text(2.5) == "2.5"
    assert cell_text(None) == ""
    assert cell_text("  虹桥村\u3000") == "虹桥村"
