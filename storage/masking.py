"""Masking personal numbers inside free text: ID cards, mobiles, landlines, bank cards.

People type "身份证430621195801011234" or "电话13812345678" into problem texts and
answers. The full text stays in the record (the assigned cadre and the unit's
leaders read it in chat); everything that travels further — digests, group
messages, log lines, exported tables without a phone column — goes through
:func:`mask_numbers`::

    430621195801011234  -> 430621********1234   (18 digits, valid check digit; or 17 + X)
    13812345678         -> 138****5678          (+86 / 0086 prefix and - or space inside kept out)
    0731-84000000       -> 0731-****0000
    6222020200112233445 -> 6222***********3445  (16-19 digits passing the Luhn check)

Only ASCII digits count, and a number must not sit inside a longer digit run, so
dates, counts, problem numbers and anything under ten digits are left alone.
Pure: standard library only.
"""

from __future__ import annotations

import re

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

ID_RE = re.compile(r"(?<![0-9])([0-9]{17}[0-9Xx])(?![0-9])")
CARD_RE = re.compile(
    r"(?<![0-9])([0-9]{4}(?:[ -][0-9]{4}){3}(?:[ -]?[0-9]{1,3})?|[0-9]{16,19})(?![0-9])"
)
MOBILE_RE = re.compile(
    r"(?<![0-9])((?:\+|00)?86[- ]?)?(1[3-9][0-9])[- ]?[0-9]{4}[- ]?([0-9]{4})(?![0-9])"
)
LANDLINE_RE = re.compile(r"(?<![0-9])([(（]?0[0-9]{2,3}[)）]?[- ]?)([0-9]{3,4})([0-9]{4})(?![0-9])")


def id_number_valid(number: str) -> bool:
    """True for 17 digits followed by the GB 11643 (ISO 7064 MOD 11-2) check character."""
    if len(number) != 18 or not number[:17].isdigit() or not number.isascii():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_valid(digits: str) -> bool:
    """True when the ASCII digit string passes the Luhn check (bank cards)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _id(m: re.Match[str]) -> str:
    number = m.group(1)
    return number[:6] + "*" * 8 + number[14:] if id_number_valid(number) else number


def _card(m: re.Match[str]) -> str:
    digits = re.sub(r"[ -]", "", m.group(1))
    if not 16 <= len(digits) <= 19 or not luhn_valid(digits):
        return m.group(1)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def _mobile(m: re.Match[str]) -> str:
    return f"{m.group(1) or ''}{m.group(2)}****{m.group(3)}"


def _landline(m: re.Match[str]) -> str:
    return f"{m.group(1)}****{m.group(3)}"


def mask_numbers(text: str) -> str:
    """``text`` with every ID-card, mobile, landline and bank-card number masked.

    ID numbers first (an 18-digit ID may also pass Luhn), then cards, mobiles and
    landlines; a masked number holds ``*`` so a later pattern cannot match inside it.
    """
    if not any("0" <= ch <= "9" for ch in text):
        return text
    text = ID_RE.sub(_id, text)
    text = CARD_RE.sub(_card, text)
    text = MOBILE_RE.sub(_mobile, text)
    return LANDLINE_RE.sub(_landline, text)
