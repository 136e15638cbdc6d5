"""The leaders' 本周问题关键词: jieba TF-IDF over the week's problem texts of a scope.

:func:`keywords` is the definition: jieba's ``extract_tags`` over the texts (numbers
masked first), the first ``top`` + spare candidates, minus the stop words and any word
holding a digit. ``extract_tags`` only counts words (each text is cut on its own: the
texts are joined by newlines, which jieba always cuts at) and ranks them by count ×
idf / total count, ties in order of first appearance; so :class:`KeywordCells` cuts
each text of a run once, keeps the counts per (place, finder's unit), and ranks any
scope's sum the same way — the same words as :func:`keywords` over the scope's texts
(tests/scheduler/test_digest_keywords.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.facts import FactScope
from storage.facts.rollup import Cells
from storage.masking import mask_numbers
from storage.models import Cadre, Problem, Target

KEYWORDS = 10
# Words every problem text uses; they say nothing about what the week was about.
KEYWORD_STOPWORDS = frozenset(
    {"希望", "群众", "反映", "需要", "问题", "村民", "居民", "建议", "解决", "尽快", "要求", "存在"}
)
# A keyword with a digit in it is a number (a phone, an ID, a house number), never a topic.
HAS_DIGIT = re.compile(r"\d")
KEYWORD_SPARE = 10  # extra candidates, so dropped number-words do not shorten the list

# word -> [count, position of its first appearance]
WordCounts = dict[str, list[int]]


def _tfidf() -> Any:
    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    return jieba.analyse.default_tfidf


def count_words(tfidf: Any, text: str, counts: WordCounts, position: int) -> int:
    """Add ``text``'s words (as ``extract_tags`` counts them) to ``counts``; returns the
    position after them (positions order first appearances across texts)."""
    for word in tfidf.tokenizer.cut(mask_numbers(text)):
        if len(word.strip()) < 2 or word.lower() in tfidf.stop_words:
            continue
        line = counts.get(word)
        if line is None:
            counts[word] = [1, position]
        else:
            line[0] += 1
        position += 1
    return position


def ranked(tfidf: Any, counts: WordCounts, top: int = KEYWORDS) -> list[str]:
    """The keywords of ``counts``: ``extract_tags``' ranking, then the filters."""
    if not counts:
        return []
    total = float(sum(line[0] for line in counts.values()))
    score = {
        w: float(n) * (tfidf.idf_freq.get(w, tfidf.median_idf) / total)
        for w, (n, _) in counts.items()
    }
    order = sorted(counts, key=lambda w: (-score[w], counts[w][1]))
    words = order[: top + len(KEYWORD_STOPWORDS) + KEYWORD_SPARE]
    kept = [w for w in words if w not in KEYWORD_STOPWORDS and not HAS_DIGIT.search(w)]
    return kept[:top]


def keywords(texts: Sequence[str], top: int = KEYWORDS) -> list[str]:
    """The most characteristic words (jieba TF-IDF) of ``texts``; leaders only.

    Personal numbers are masked first and no word holding a digit is kept, so a
    phone or ID number typed into a problem never becomes a keyword.
    """
    if not texts:
        return []
    tfidf = _tfidf()
    counts: WordCounts = {}
    position = 0
    for text in texts:
        position = count_words(tfidf, text, counts, position)
    return ranked(tfidf, counts, top)


class KeywordCells:
    """The words of every problem registered since ``since``, counted per (place of its
    household, finder's unit), each text cut once; :meth:`of` ranks a scope's sum."""

    def __init__(self, session: Session, since: datetime | None) -> None:
        self.tfidf = _tfidf()
        self.cells: Cells[WordCounts] = Cells()
        query = (
            select(Problem.text, Target.unit_id, Target.grid, Cadre.unit_id)
            .join(Target, Target.id == Problem.target_id)
            .join(Cadre, Cadre.id == Problem.found_by_id)
            .order_by(Problem.id)
        )
        if since is not None:
            query = query.where(Problem.created_at >= since)
        position = 0
        rows = session.connection().execution_options(yield_per=2000).execute(query)
        for text, unit_id, grid, finder_unit in rows:
            counts = self.cells.get((unit_id, grid, finder_unit, None), dict)
            position = count_words(self.tfidf, text, counts, position)

    def of(self, scope: FactScope, top: int = KEYWORDS) -> list[str]:
        total: WordCounts = {}
        for _, counts in self.cells.of(scope):
            _merge(total, counts.items())
        return ranked(self.tfidf, total, top)


def _merge(total: WordCounts, items: Iterable[tuple[str, list[int]]]) -> None:
    for word, (n, first) in items:
        line = total.get(word)
        if line is None:
            total[word] = [n, first]
        else:
            line[0] += n
            line[1] = min(line[1], first)
