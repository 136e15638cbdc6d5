"""Typed numbers: whatever a cadre pastes gives a number or a polite error, never a crash.

A decimal of 400 digits used to become float('inf') (PostgreSQL's JSON refuses
Infinity, so the visit could not be stored); an integer of 5000 digits raised
ValueError (Python's int() digit limit).
"""

from __future__ import annotations

import json
import math
from datetime import UTC

import pytest

from bot.dialogs import prompts
from bot.dialogs.answers import read_text
from bot.dialogs.template import Question
from tests.support.clock import FROZEN_NOW

INTEGER = Question("people", "家庭人口", "integer", "g")
DECIMAL = Question("income", "年收入", "decimal", "g")


@pytest.mark.parametrize("text", ["9" * 400, "9" * 5000, "-" + "9" * 400, "1." + "5" * 5000])
@pytest.mark.parametrize("question", [INTEGER, DECIMAL], ids=["integer", "decimal"])
def test_absurdly_long_numbers_are_refused_politely(question, text):
    answer = read_text(question, text, FROZEN_NOW, UTC)
    assert answer.error in (prompts.NEED_INTEGER, prompts.NEED_NUMBER)


@pytest.mark.parametrize(
    ("question", "text", "value"),
    [
        (INTEGER, "4人", 4),
        (INTEGER, "-3", -3),
        (DECIMAL, "2.5万", 2.5),
        (DECIMAL, "12000元", 12000),
    ],
)
def test_ordinary_numbers_still_read(question, text, value):
    answer = read_text(question, text, FROZEN_NOW, UTC)
    assert answer.error == "" and answer.value == value
    assert math.isfinite(answer.value)
    json.dumps(answer.value, allow_nan=False)  # storable as JSON on PostgreSQL
