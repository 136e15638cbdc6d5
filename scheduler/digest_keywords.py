"""The leaders' 本周问题关键词: jieba TF-IDF over the week's problem texts of a scope.

:func:`keywords` is the definition: jieba's ``extract_tags`` over the texts (numbers
masked first), the first ``top`` + spare candidates, minus the stop words and any word
holding a digit. ``extract_tags`` only counts words (each text is cut on its own: the
texts are joined by newlines, which jieba always cuts at) and ranks them by count ×
idf / total count, ties in order of first appearance; so :class:`KeywordCells` cuts
each text of a run once, keeps the counts per (place, finder's unit), and ranks any
scope's sum the same way — the same words as :func:`keywords` over the scope's texts
(tests/storage/test_facts_rollup.py).

``jieba.analyse`` itself is not imported: it loads jieba's part-of-speech table and the
whole IDF table (+135 MB, a county digest's peak went past 300 MB); :class:`Idf` reads
the same ``idf.txt`` keeping only the words counted, and the same stop words.
"""

from __future__ import annotations

import logging
import re
from array import array
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from storage.db import Session
from storage.facts import FactScope
from storage.facts.rollup import Cells
from storage.masking import mask_numbers
from storage.progress import problem_texts_by_place

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


# jieba.analyse's own stop words (KeywordExtractor.STOP_WORDS), ignored when counting.
JIEBA_STOP_WORDS = frozenset(
    {
        "the", "of", "is", "and", "to", "in", "that", "we", "for", "an", "are", "by", "be",
        "as", "on", "with", "can", "if", "from", "which", "you", "it", "this", "then", "at",
        "have", "all", "not", "one", "has", "or",
    }
)  # fmt: skip


def _tokenizer() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba.dt


@dataclass(frozen=True)
class Idf:
    """jieba's IDF weights (``jieba/analyse/idf.txt``) of some words, and the median
    weight of the whole table (what an unknown word gets)."""

    weights: dict[str, float]
    median: float

    @classmethod
    def of(cls, words: Collection[str]) -> Idf:
        import jieba

        path = Path(jieba.__file__).parent / "analyse" / "idf.txt"
        weights: dict[str, float] = {}
        values = array("d")
        with path.open("rb") as lines:
            for raw in lines:
                word, freq = raw.decode("utf-8").strip().split(" ")
                values.append(float(freq))
                if word in words:
                    weights[word] = float(freq)
        return cls(weights, sorted(values)[len(values) // 2])


def count_words(tokenizer: Any, text: str, counts: WordCounts, position: int) -> int:
    """Add ``text``'s words (as ``extract_tags`` counts them) to ``counts``; returns the
    position after them (positions order first appearances across texts)."""
    for word in tokenizer.cut(mask_numbers(text)):
        if len(word.strip()) < 2 or word.lower() in JIEBA_STOP_WORDS:
            continue
        line = counts.get(word)
        if line is None:
            counts[word] = [1, position]
        else:
            line[0] += 1
        position += 1
    return position


def ranked(idf: Idf, counts: WordCounts, top: int = KEYWORDS) -> list[str]:
    """The keywords of ``counts``: ``extract_tags``' ranking, then the filters."""
    if not counts:
        return []
    total = float(sum(line[0] for line in counts.values()))
    score = {w: float(n) * (idf.weights.get(w, idf.median) / total) for w, (n, _) in counts.items()}
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
    tokenizer = _tokenizer()
    counts: WordCounts = {}
    position = 0
    for text in texts:
        position = count_words(tokenizer, text, counts, position)
    return ranked(Idf.of(counts), counts, top)


class KeywordCells:
    """The words of every problem registered since ``since``, counted per (place of its
    household, finder's unit), each text cut once; :meth:`of` ranks a scope's sum."""

    def __init__(self, session: Session, since: datetime | None) -> None:
        tokenizer = _tokenizer()
        self.cells: Cells[WordCounts] = Cells()
        position = 0
        for text, unit_id, grid, finder_unit in problem_texts_by_place(session, since):
            counts = self.cells.get((unit_id, grid, finder_unit, None), dict)
            position = count_words(tokenizer, text, counts, position)
        words = {w for counts in self.cells.values.values() for w in counts}
        self.idf = Idf.of(words)

    def of(self, scope: FactScope, top: int = KEYWORDS) -> list[str]:
        total: WordCounts = {}
        for _, counts in self.cells.of(scope):
            _merge(total, counts.items())
        return ranked(self.idf, total, top)


def _merge(total: WordCounts, items: Iterable[tuple[str, list[int]]]) -> None:
    for word, (n, first) in items:
        line = total.get(word)
        if line is None:
            total[word] = [n, first]
        else:
            line[0] += n
            line[1] = min(line[1], first)
