"""Personal numbers in free text are masked; ordinary text and short numbers are not."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from storage.masking import id_number_valid, luhn_valid, mask_numbers

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def with_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def with_luhn_digit(body: str) -> str:
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


# Free text around a number: anything but ASCII digits (a digit next to the number
# would make it a different, longer number).
around = st.text(st.characters(blacklist_characters="0123456789", codec="utf-8"), max_size=20)
ids = st.from_regex(r"[1-6][0-9]{16}", fullmatch=True).map(with_check_digit)
mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
cards = st.from_regex(r"62[0-9]{13,16}", fullmatch=True).map(with_luhn_digit)


def test_examples():
    assert mask_numbers("身份证430621195801011234") == "身份证430621********1234"
    assert mask_numbers("身份证11010519491231002X号") == "身份证110105********002X号"
    assert mask_numbers("电话13856785678找他") == "电话138****5678找他"
    assert mask_numbers("电话 138-5678-5678") == "电话 138****5678"
    assert mask_numbers("+86 13856785678") == "+86 138****5678"
    assert mask_numbers("村委会0731-84001234") == "村委会0731-****1234"
    assert mask_numbers("卡号6222021234567890128") == "卡号6222***********0128"
    card = with_luhn_digit("622202123456789")
    grouped = " ".join(card[i : i + 4] for i in range(0, 16, 4))
    assert mask_numbers(f"卡号 {grouped} 开户行") == f"卡号 6222********{card[-4:]} 开户行"


def test_numbers_that_are_not_personal_stay():
    for text in (
        "2026-11-01 到 2026-11-15 走访 128 户",
        "问题#12 逾期 3 天",
        "430621195801011235",  # wrong check digit
        "138000012345678",  # a mobile inside a longer run
        "金额 1234567.89 元",
    ):
        assert mask_numbers(text) == text


@given(around, ids, around)
def test_a_valid_id_never_survives(before, number, after):
    assert id_number_valid(number)
    masked = mask_numbers(before + number + after)
    assert number not in masked
    assert number.upper() not in masked.upper()


@given(around, mobiles, around)
def test_a_mobile_never_survives(before, number, after):
    masked = mask_numbers(before + number + after)
    assert number not in masked
    assert number[:3] + "****" + number[-4:] in masked


@given(around, cards, around)
def test_a_bank_card_never_survives(before, number, after):
    assert number not in mask_numbers(before + number + after)


@given(st.lists(st.tuples(around, st.integers(0, 999_999_999)), max_size=8))
def test_ordinary_text_and_short_numbers_are_left_alone(parts):
    text = "".join(f"{words}号{n}个" for words, n in parts)
    assert mask_numbers(text) == text


@given(st.text(st.characters(codec="utf-8"), max_size=60))
def test_masking_is_idempotent_and_keeps_non_digits(text):
    once = mask_numbers(text)
    assert mask_numbers(once) == once
    # Only digits, and the spaces and dashes inside a masked number, change.
    assert re.sub(r"[0-9* -]", "", once) == re.sub(r"[0-9* -]", "", text)
