"""The guard every group-chat payload passes before it reaches the outbox.

Group chats may carry counts by unit and names of cadres, nothing else personal:
no sensitive target categories (信教人士, 五包一信访对象, 利剑护蕾对象 and their
stems), no phone numbers, no problem texts. A payload that breaks the rule is a
programming error, so :func:`check_group_payload` raises instead of sending.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from storage.vocab import SENSITIVE_CATEGORIES, SENSITIVE_STEMS

# The categories themselves plus the stems people write instead of the full name.
SENSITIVE_WORDS = tuple(sorted(SENSITIVE_CATEGORIES)) + SENSITIVE_STEMS

# Mainland mobiles (11 digits from 13x-19x) and landlines (0xx-xxxxxxxx), not inside
# a longer run of ASCII letters/digits (so seeds and ids do not trip it).
PHONE_RE = re.compile(
    r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?![0-9A-Za-z])"
    r"|(?<![0-9A-Za-z])0\d{2,3}-?\d{7,8}(?![0-9A-Za-z])"
)

# Problem texts are long free text; shorter fragments are not worth flagging.
MIN_PROBLEM_TEXT = 6


class PrivacyError(RuntimeError):
    """A group payload would leak something private; the message says what."""


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            # Userids to @-mention are not shown as text; the upload is image bytes.
            if key not in ("_upload", "mentioned_list"):
                yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def problems_in(
    text: str, problem_texts: Iterable[str] = (), allow: Iterable[str] = ()
) -> list[str]:
    """What in ``text`` must not go to a group (empty list: safe).

    ``allow`` lists legitimate strings to ignore first (e.g. a unit named 信访局, the
    draw's seed); ``problem_texts`` are ledger texts that must not appear verbatim.
    """
    for item in sorted(allow, key=len, reverse=True):
        if item:
            text = text.replace(item, " ")
    found = [f"敏感词「{w}」" for w in SENSITIVE_WORDS if w in text]
    found += [f"电话号码「{m.group(0)}」" for m in PHONE_RE.finditer(text)]
    for problem in problem_texts:
        snippet = problem.strip()
        if len(snippet) >= MIN_PROBLEM_TEXT and snippet in text:
            found.append(f"问题原文「{snippet[:20]}」")
    return found


def check_group_payload(
    payload: dict[str, Any], problem_texts: Iterable[str] = (), allow: Iterable[str] = ()
) -> None:
    """Raise :class:`PrivacyError` if any text in ``payload`` is unfit for a group chat."""
    texts = list(problem_texts)
    allowed = list(allow)
    for text in _strings(payload):
        found = problems_in(text, texts, allowed)
        if found:
            # The error ends up in the scheduler's log: name what kind of thing leaked,
            # never the phone number or the problem text itself.
            kinds = dict.fromkeys(f.split("「")[0] for f in found)
            raise PrivacyError("group message refused: " + "; ".join(kinds))
