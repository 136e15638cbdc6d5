"""Finding a target from what a cadre types: "张三", "3组15号", "张山 15号" (a typo).

``rank(query, targets, tokenize)`` scores every target by name and address: exact
and substring hits first, then shared words (jieba's segmentation when a tokenizer
is given, character pairs otherwise), then similarity (difflib) for mistyped names.
``jieba_tokenizer()`` loads jieba once, on first use, so importing this module is cheap.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections import Counter
from collections.abc import Callable, Sequence

from bot.dialogs.contracts import TargetInfo

MIN_SCORE = 35.0
SURE_SCORE = 90.0

_jieba_lcut: Callable[[str], list[str]] | None = None


def jieba_tokenizer() -> Callable[[str], list[str]]:
    """jieba.lcut, imported and initialised on the first call only."""
    global _jieba_lcut
    if _jieba_lcut is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        _jieba_lcut = jieba.lcut
    return _jieba_lcut


def _clean(text: str) -> str:
    table = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９"}
    return "".join(text.translate(table).split()).lower()


_NUMBER = re.compile(r"\d+")


def _numbers_fit(query: str, place: str) -> bool:
    """Every number typed ("1组1号" → 1, 1) is a whole number of the address, as often."""
    wanted = Counter(_NUMBER.findall(query))
    return not wanted or wanted <= Counter(_NUMBER.findall(place))


def _bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)] or ([text] if text else [])


def score(query: str, target: TargetInfo, tokenize: Callable[[str], list[str]] | None) -> float:
    """0–100: how well ``query`` names ``target``."""
    q = _clean(query)
    if not q:
        return 0.0
    name = _clean(target.name)
    place = _clean(target.grid + target.address)
    haystack = name + place
    if q == name:
        return 100.0
    if not _numbers_fit(q, place):
        return 0.0  # "1组1号" must not find 3组15号 through its digits and 组/号
    if q in name or (len(name) >= 2 and name in q):
        return 92.0 if len(q) >= 2 else 60.0
    if len(q) >= 2 and q in place:
        return 90.0
    tokens = [t for t in (tokenize(q) if tokenize else _bigrams(q)) if _clean(t)]
    tokens = [_clean(t) for t in tokens]
    shared = sum(1 for t in tokens if t in haystack) / len(tokens) if tokens else 0.0
    similar = max(
        difflib.SequenceMatcher(None, q, name).ratio(),
        difflib.SequenceMatcher(None, q, place).ratio() if place else 0.0,
    )
    return max(shared * 80.0, similar * 75.0)


def rank(
    query: str,
    targets: Sequence[TargetInfo],
    tokenize: Callable[[str], list[str]] | None = None,
) -> list[TargetInfo]:
    """Targets that plausibly match, best first; a single sure hit comes back alone."""
    scored = [(score(query, t, tokenize), t) for t in targets]
    scored = [(s, t) for s, t in scored if s >= MIN_SCORE]
    scored.sort(key=lambda st: (-st[0], st[1].done, not st[1].is_key, st[1].id))
    if not scored:
        return []
    best = scored[0][0]
    if best >= SURE_SCORE:
        top = [t for s, t in scored if s == best]
        return top
    return [t for s, t in scored if s >= best - 15.0]
