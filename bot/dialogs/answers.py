"""Reading one answer: a typed text or a pressed button -> a stored value, or why not.

Stored values are JSON-safe: text/phone/date -> str (date ISO), integer -> int,
decimal -> float, select_one/yes_no -> choice id, select_multiple -> list of ids.
``read(question, message, ctx_now, target)`` returns an :class:`Answer`: ``value``
when understood, else ``error`` (a Chinese message for the re-ask).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from bot.dialogs import prompts, timeparse
from bot.dialogs.contracts import Message
from bot.dialogs.template import Question

MAX_TEXT = 1000
CHOICE_KEY = "a:"  # button keys of answer choices: "a:<choice id>"
PREFILL_KEY = "a:__prefill__"

_YES = {"是", "有", "对", "在", "好", "需要", "yes", "y", "1", "是的", "有的", "在家"}
_NO = {"否", "无", "没有", "不", "不是", "没", "no", "n", "2", "不需要", "都没有"}
_SPLIT = re.compile(r"[\s,，、;；/|]+")
_PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}\d{7,8}|\d{7,8})$")
# At most 15 digits (an exact float, an Excel cell); longer is a paste error, and
# unbounded it overflowed (int() digit limit, float('inf') refused by PostgreSQL JSON).
_INTEGER = re.compile(r"^(-?\d{1,15})\s*(?:人|口|户|个|元|岁|次|名|位)?$")
_DECIMAL = re.compile(r"^(-?\d{1,15}(?:\.\d{1,6})?)\s*(?:元|万元|万|亩)?$")


@dataclass(frozen=True)
class Answer:
    value: Any = None
    error: str = ""


def normalise(text: str) -> str:
    """Full-width digits to ASCII, trimmed (punctuation is kept: text answers are verbatim)."""
    table = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９"}
    return text.translate(table).strip()


def read(
    question: Question, message: Message, now: datetime, zone: tzinfo, prefill: str = ""
) -> Answer:
    """Interpret ``message`` as the answer to ``question``; ``prefill`` is the roster value."""
    if message.button == PREFILL_KEY and prefill:
        return Answer(prefill)
    if question.type in ("select_one", "yes_no", "select_multiple"):
        return _read_choice(question, message)
    text = normalise(message.text)
    if not text:
        return Answer(error=prompts.NEED_TEXT)
    return read_text(question, text, now, zone)


def read_text(question: Question, text: str, now: datetime, zone: tzinfo) -> Answer:
    """Typed answers for the non-choice types (also used for field-list groups)."""
    qtype = question.type
    if qtype == "text":
        if len(text) > MAX_TEXT:
            return Answer(error=prompts.TOO_LONG.format(limit=MAX_TEXT))
        return Answer(text)
    if qtype == "integer":
        m = _INTEGER.match(text)
        number = int(m[1]) if m else timeparse.cn_number(text.rstrip("人口户个"))
        return Answer(number) if number is not None else Answer(error=prompts.NEED_INTEGER)
    if qtype == "decimal":
        m = _DECIMAL.match(text)
        return Answer(float(m[1])) if m else Answer(error=prompts.NEED_NUMBER)
    if qtype == "phone":
        digits = re.sub(r"[\s\-()（）]", "", text)
        if _PHONE.match(digits):
            return Answer(digits)
        return Answer(error=prompts.NEED_PHONE)
    if qtype == "date":
        found = timeparse.parse_date(text, now, zone)
        return Answer(found.isoformat()) if found else Answer(error=prompts.NEED_DATE)
    raise ValueError(f"read_text cannot read type {qtype}")


def _match_choice(question: Question, token: str) -> str | None:
    """One typed token -> a choice id: its number, id, label, or a unique label fragment."""
    choices = question.choice_list
    token = token.strip()
    if not token:
        return None
    if token.isdecimal() and 1 <= int(token) <= len(choices):
        return choices[int(token) - 1].id
    lowered = token.lower()
    for c in choices:
        if lowered in (c.id.lower(), c.label.lower()):
            return c.id
    if question.type == "yes_no":
        if lowered in _YES:
            return "yes"
        if lowered in _NO or lowered.startswith(("没", "无", "不")):
            return "no"
    partial = [c.id for c in choices if token in c.label or c.label in token]
    return partial[0] if len(partial) == 1 else None


def _read_choice(question: Question, message: Message) -> Answer:
    ids = {c.id for c in question.choice_list}
    if question.type == "select_multiple":
        picked: list[str] = []
        if message.selected:
            picked = [s for s in message.selected if s in ids]
        elif message.button.startswith(CHOICE_KEY) and message.button[2:] in ids:
            picked = [message.button[2:]]
        else:
            picked_or_error = _typed_multiple(question, normalise(message.text))
            if isinstance(picked_or_error, Answer):
                return picked_or_error
            picked = picked_or_error
        if not picked:
            return Answer(error=prompts.NEED_CHOICE)
        ordered = [c.id for c in question.choices if c.id in picked]
        exclusive = [c for c in question.choices if c.exclusive and c.id in ordered]
        if exclusive and len(ordered) > 1:
            return Answer(error=prompts.EXCLUSIVE.format(label=exclusive[0].label))
        return Answer(ordered)
    if message.button.startswith(CHOICE_KEY) and message.button[2:] in ids:
        return Answer(message.button[2:])
    if message.selected and message.selected[0] in ids:
        return Answer(message.selected[0])
    found = _match_choice(question, normalise(message.text))
    return Answer(found) if found else Answer(error=prompts.NEED_CHOICE)


def _typed_multiple(question: Question, text: str) -> list[str] | Answer:
    if not text:
        return Answer(error=prompts.NEED_CHOICE)
    whole = _match_choice(question, text)
    if whole is not None:
        return [whole]
    tokens = [t for t in _SPLIT.split(text) if t]
    # "135" means 1, 3 and 5 when every choice has a one-digit number.
    if len(tokens) == 1 and tokens[0].isdecimal() and len(question.choices) <= 9:
        tokens = list(tokens[0])
    picked: list[str] = []
    for token in tokens:
        found = _match_choice(question, token)
        if found is None:
            return Answer(error=prompts.UNKNOWN_CHOICE.format(token=token[:20]))
        if found not in picked:
            picked.append(found)
    return picked


def display(question: Question, value: Any) -> str:
    """How a stored value reads in summaries: choice labels, 是/否, or the text."""
    if value is None:
        return prompts.SKIPPED
    if question.type in ("select_one", "yes_no"):
        choice = next((c for c in question.choice_list if c.id == value), None)
        return choice.label if choice else str(value)
    if question.type == "select_multiple":
        labels = [c.label for c in question.choices if c.id in (value or [])]
        return "、".join(labels)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def split_fields(text: str, count: int) -> list[str]:
    """Split a field-list answer into ``count`` parts: by lines, then by separators."""
    lines = [p.strip() for p in text.splitlines() if p.strip()]
    if len(lines) == count:
        return lines
    parts = [p for p in re.split(r"[\n,，;；、]+", text) if p.strip()]
    if len(parts) == count:
        return [p.strip() for p in parts]
    return [p for p in re.split(r"[\s,，;；、]+", text) if p]


_BRACKETED = re.compile(r"[（(][^）)]*[）)]")
_VALUE_EDGES = "：:，,;；、。 \t\n=为是"


def label_names(label: str) -> tuple[str, ...]:
    """How a cadre may write a field's label: in full, without its brackets
    (村（社区）干部平均年收入（元） -> 村干部平均年收入), or without a leading 村."""
    short = _BRACKETED.sub("", label).strip()
    names = {label, short}
    if short.startswith("村") and len(short) > 3:
        names.add(short[1:])
    return tuple(sorted((n for n in names if n), key=len, reverse=True))


def labelled_fields(text: str, labels: list[str]) -> list[str] | None:
    """The values of a field-list answer written with labels, in ``labels`` order
    ("总人口2950，总户数820，…", any order); None unless every label is there once."""
    found: list[tuple[int, int, int]] = []  # (start, end, field index)
    for i, label in enumerate(labels):
        spans = [
            (m.start(), m.end())
            for name in label_names(label)
            for m in re.finditer(re.escape(name), text)
        ]
        if not spans:
            return None
        start, end = min(spans)
        found.append((start, max(e for s, e in spans if s == start), i))
    found.sort()
    values = [""] * len(labels)
    for n, (start, end, i) in enumerate(found):
        if n and start < found[n - 1][1]:
            return None  # one label inside another
        stop = found[n + 1][0] if n + 1 < len(found) else len(text)
        values[i] = text[end:stop].strip(_VALUE_EDGES)
    return values
