"""The classifier's vocabulary: data/keywords.toml and data/userdict.txt, loaded once.

:func:`load_lexicon` reads and checks the keyword file and builds one jieba
``Tokenizer`` with the user dictionary. It is slow (about a second: jieba builds its
prefix dictionary), so :mod:`bot.ledger.classify` keeps one per process.
:data:`PATTERNS` holds the few phrasings that need a regular expression.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jieba

from storage.vocab import CATEGORIES_CHAIHUDIAN, CATEGORIES_CHANGZHOU, PROBLEM_KINDS

DATA_DIR = Path(__file__).parent / "data"
KEYWORDS_PATH = DATA_DIR / "keywords.toml"
USERDICT_PATH = DATA_DIR / "userdict.txt"


class LexiconError(Exception):
    """The keyword file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class TopicHit:
    """What one term says about the subject: categories in both schemes, weight."""

    topic: str
    changzhou: str
    chaihudian: str
    kind: str  # "" when the topic suggests no kind
    weight: int
    is_problem: bool  # a trouble word (negatable) rather than a subject noun


@dataclass(frozen=True)
class Lexicon:
    topics: dict[str, tuple[TopicHit, ...]]  # term -> hits (a term may be in several topics)
    roots: dict[str, tuple[TopicHit, ...]]  # character -> weak hits, for words not listed
    kinds: dict[str, tuple[tuple[str, int], ...]]  # term -> ((kind, weight), ...)
    cues: dict[str, int]  # term -> weight
    negation_before: frozenset[str]
    negation_adjacent: frozenset[str]
    negation_after: frozenset[str]
    ok_phrases: frozenset[str]
    tokenizer: Any  # jieba.Tokenizer

    def all_terms(self) -> set[str]:
        return set(self.topics) | set(self.kinds) | set(self.cues)


@dataclass(frozen=True)
class Pattern:
    """A phrasing no word list catches (跑了五趟, 生活很困难, 一个人拉扯).

    When ``regex`` matches the text it adds ``evidence`` (> 0 makes the text a problem
    on its own), ``kind_weight`` to ``kind`` and, with a ``topic``, a hit of
    ``weight`` to that topic's categories; ``label`` is shown among the terms.
    """

    regex: re.Pattern[str]
    label: str
    evidence: float = 0.0
    kind: str = ""
    kind_weight: float = 0.0
    topic: str = ""
    weight: int = 3


_ADV = "[很太挺特别非常比较也都蛮好]*"
PATTERNS = (
    Pattern(
        re.compile(r"跑了?[两三四五六七八九十几好多]+[趟次回遍]"), "跑N趟", 2.0, "意见建议", 1.0
    ),
    Pattern(
        re.compile(r"(?:有没有|可不可以|是多少|要多少|怎么[办弄算报交申]|咋[办弄算报交申])"),
        "",
        0.0,
        "政策咨询",
        1.0,
    ),
    Pattern(
        re.compile(rf"(?:生活|日子){_ADV}(?:困难|艰难|难过|难|苦|紧巴|没着落)"),
        "生活困难",
        2.0,
        "困难需求",
        1.0,
        "welfare",
    ),
    Pattern(
        re.compile(
            r"(?:一个人|独自|自己)(?:拉扯|带着?|养活?|供)[^，。]{0,4}(?:孩子|娃|儿子|女儿|[一两三四]个)"
        ),
        "独自抚养",
        2.0,
        "困难需求",
        1.0,
        "welfare",
    ),
    Pattern(
        re.compile(
            r"(?:老伴|丈夫|男人|老公|妻子|老婆|媳妇|那口子|当家的)[^，。]{0,8}(?:走了|去世|过世|没了|不在了)"
        ),
        "丧偶",
        2.0,
        "困难需求",
        1.0,
        "welfare",
    ),
    Pattern(
        re.compile(r"连个[^，。]{0,6}的人都没有|没人(?:照顾|照看|做饭|倒水|伺候)"),
        "无人照料",
        2.0,
        "困难需求",
        1.0,
        "welfare",
        2,
    ),
)


def _weights(table: Any, where: str) -> dict[str, int]:
    if not isinstance(table, dict):
        raise LexiconError(f"{KEYWORDS_PATH.name}: {where} must be a table of term = weight")
    out = {}
    for term, weight in table.items():
        if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 3:
            raise LexiconError(f"{KEYWORDS_PATH.name}: {where}.{term}: weight must be 1, 2 or 3")
        out[term] = weight
    return out


def parse_roots(raw: dict[str, Any]) -> dict[str, tuple[TopicHit, ...]]:
    """Root characters of each topic (``problem_roots`` / ``subject_roots``), weight 1."""
    roots: dict[str, list[TopicHit]] = {}
    for topic in raw.get("topic", []):
        for key, is_problem in (("problem_roots", True), ("subject_roots", False)):
            for ch in topic.get(key, ""):
                if ch.strip():
                    hit = TopicHit(
                        topic["id"],
                        topic["changzhou"],
                        topic["chaihudian"],
                        topic.get("kind", ""),
                        1,
                        is_problem,
                    )
                    roots.setdefault(ch, []).append(hit)
    return {ch: tuple(h) for ch, h in roots.items()}


def parse_keywords(raw: dict[str, Any]) -> tuple[dict, dict, dict, dict[str, list[str]]]:
    """Validate the parsed TOML; return (topics, kinds, cues, word lists)."""
    topics: dict[str, list[TopicHit]] = {}
    for i, topic in enumerate(raw.get("topic", [])):
        tid = topic.get("id", f"#{i}")
        cz, chd, kind = topic.get("changzhou"), topic.get("chaihudian"), topic.get("kind", "")
        if cz not in CATEGORIES_CHANGZHOU:
            raise LexiconError(f"{KEYWORDS_PATH.name}: topic {tid}: changzhou {cz!r} unknown")
        if chd not in CATEGORIES_CHAIHUDIAN:
            raise LexiconError(f"{KEYWORDS_PATH.name}: topic {tid}: chaihudian {chd!r} unknown")
        if kind and kind not in PROBLEM_KINDS:
            raise LexiconError(f"{KEYWORDS_PATH.name}: topic {tid}: kind {kind!r} unknown")
        for section, is_problem in (("problem", True), ("subject", False)):
            for term, w in _weights(topic.get(section, {}), f"topic {tid}.{section}").items():
                topics.setdefault(term, []).append(TopicHit(tid, cz, chd, kind, w, is_problem))
    kinds: dict[str, list[tuple[str, int]]] = {}
    for kind, table in raw.get("kind", {}).items():
        if kind not in PROBLEM_KINDS:
            raise LexiconError(f"{KEYWORDS_PATH.name}: [kind.{kind}] is not a problem kind")
        for term, w in _weights(table, f"kind.{kind}").items():
            kinds.setdefault(term, []).append((kind, w))
    cues = _weights(raw.get("cues", {}), "cues")
    neg = raw.get("negation", {})
    words = {
        "before": list(neg.get("before", [])),
        "adjacent": list(neg.get("adjacent", [])),
        "after": list(neg.get("after", [])),
        "ok": list(raw.get("ok", {}).get("phrases", [])),
    }
    return (
        {t: tuple(h) for t, h in topics.items()},
        {t: tuple(k) for t, k in kinds.items()},
        cues,
        words,
    )


def load_lexicon(
    keywords_path: Path = KEYWORDS_PATH, userdict_path: Path = USERDICT_PATH
) -> Lexicon:
    """Read the keyword file, build a jieba Tokenizer with the user dictionary."""
    try:
        raw = tomllib.loads(keywords_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"{keywords_path.name}: not valid TOML: {exc}") from None
    topics, kinds, cues, words = parse_keywords(raw)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(userdict_path))
    return Lexicon(
        topics=topics,
        roots=parse_roots(raw),
        kinds=kinds,
        cues=cues,
        negation_before=frozenset(words["before"]),
        negation_adjacent=frozenset(words["adjacent"]),
        negation_after=frozenset(words["after"]),
        ok_phrases=frozenset(words["ok"]),
        tokenizer=tokenizer,
    )


USERDICT_FREQ = 20000  # high enough that jieba keeps every term whole


def missing_userdict_words(
    keywords_path: Path = KEYWORDS_PATH, userdict_path: Path = USERDICT_PATH
) -> list[str]:
    """Multi-character words of the keyword file that the user dictionary lacks."""
    raw = tomllib.loads(keywords_path.read_text(encoding="utf-8"))
    topics, kinds, cues, words = parse_keywords(raw)
    wanted = set(topics) | set(kinds) | set(cues) | {w for ws in words.values() for w in ws}
    present = {
        line.split()[0]
        for line in userdict_path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    return sorted(w for w in wanted if len(w) > 1 and w not in present)


def main() -> None:
    """``python -m bot.ledger.lexicon``: add new keywords to data/userdict.txt."""
    missing = missing_userdict_words()
    lines = USERDICT_PATH.read_text(encoding="utf-8").splitlines()
    lines += [f"{w} {USERDICT_FREQ}" for w in missing]
    USERDICT_PATH.write_text("\n".join(sorted(set(lines))) + "\n", encoding="utf-8")
    print(f"added {len(missing)} words to {USERDICT_PATH}")


if __name__ == "__main__":
    main()
