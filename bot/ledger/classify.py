"""Classify a free-text answer: is it a problem, which category (both schemes), which kind.

Two layers, both explainable:

1. the keyword layer (:mod:`bot.ledger.keyword_model`): jieba tokens against the
   domain lexicon in ``data/keywords.toml``, clause by clause, with negations reaching
   over lists; it gives category and kind scores and the matched terms;
2. the learned layer (:mod:`bot.ledger.learned`): naive Bayes over words and
   character pairs, trained at load from ``data/training.tsv``.

Combining (weights in :class:`Weights`, chosen by 5-fold cross-validation over the
training sets, see docs/ledger.md): a problem word found by the keyword layer makes
the text a problem. Without one, a text the keywords call a problem by its subjects
alone ("老师挺负责的") stays one only if the learned layer gives it at least
``detect_veto``, and a text the keywords find nothing in, no clause of which says
things are fine, is a problem when the learned layer is at least ``detect_alone`` sure. The
category and kind distributions are ``keyword_share`` × the keyword scores (as shares)
plus the rest × the learned posterior; when the keywords are silent the learned
posterior alone counts, scaled down by ``1 - keyword_share``. The top share is the
confidence; below ``low_confidence`` the category is 其他 and the problem is flagged
for a person (``needs_review``). Terms: the matched keywords, then up to two learned
features that favoured the chosen category (a character pair shows as ``~漏水``).

:func:`classify` is what the bot, the CLI and the benchmark call. The lexicon, its
jieba tokenizer and the learned model are built on first use and kept for the process
(never per message); building takes about a second.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from bot.ledger.keyword_model import SCHEMES, Evidence, KeywordModel
from bot.ledger.learned import TRAINING_PATH, Example, LearnedModel, read_examples
from bot.ledger.lexicon import Lexicon, load_lexicon

__all__ = ["SCHEMES", "Classification", "HybridModel", "Weights", "classify", "model"]

OTHER = "其他"
DEFAULT_KIND = "困难需求"
LEARNED_TERMS = 2  # learned features shown among the terms
_FUNCTION_CHARS = frozenset("的了是在和也都就还着过吗呢啊吧个我你他她这那有")


@dataclass(frozen=True)
class Weights:
    """How the layers combine (defaults chosen by cross-validation)."""

    keyword_share: float = 0.55
    kind_keyword_share: float = 0.3
    detect_alone: float = 0.8
    detect_veto: float = 0.1
    low_confidence: float = 0.3


@dataclass(frozen=True)
class Classification:
    """The classifier's verdict on one text.

    ``category`` is in the seed-003 (changzhou) scheme, ``category_alt`` in the
    seed-004 (chaihudian) scheme; both are 其他 when nothing matched. ``terms`` are
    the tokens that counted, clause by clause. ``confidence`` is in [0, 1].
    """

    problem: bool
    category: str
    category_alt: str
    kind: str
    confidence: float
    terms: tuple[str, ...]
    needs_review: bool

    def category_in(self, scheme: str) -> str:
        """The category in ``scheme`` (changzhou or chaihudian)."""
        if scheme not in SCHEMES:
            raise ValueError(f"unknown scheme {scheme!r}")
        return self.category if scheme == "changzhou" else self.category_alt

    def as_json(self, text: str, scheme: str = "changzhou") -> dict[str, object]:
        """The CLI's JSON object for ``text``."""
        return {
            "text": text,
            "problem": self.problem,
            "category": self.category_in(scheme) if self.problem else None,
            "kind": self.kind if self.problem else None,
            "confidence": round(self.confidence, 3),
            "terms": list(self.terms),
        }


NO_PROBLEM = Classification(False, OTHER, OTHER, "", 0.0, (), False)


NO_PROBLEM = Classification(False, OTHER, OTHER, "", 0.0, (), False)


def _shares(scores: dict[str, float]) -> dict[str, float]:
    total = sum(v for v in scores.values() if v > 0)
    return {k: v / total for k, v in scores.items() if v > 0} if total else {}


def _mix(keyword: dict[str, float], learned: dict[str, float], share: float) -> dict[str, float]:
    """``share`` × the keyword shares + the rest × the learned posterior."""
    kw = _shares(keyword)
    labels = set(kw) | set(learned)
    return {c: share * kw.get(c, 0.0) + (1 - share) * learned.get(c, 0.0) for c in labels}


def _top(dist: dict[str, float]) -> tuple[str, float]:
    if not dist:
        return OTHER, 0.0
    best = max(sorted(dist), key=lambda c: dist[c])
    return best, dist[best]


class HybridModel:
    """Keyword layer + learned layer; read-only once built, safe to share between threads."""

    def __init__(
        self, lexicon: Lexicon, examples: Sequence[Example], weights: Weights = Weights()
    ) -> None:
        self.lex = lexicon
        self.keywords = KeywordModel(lexicon)
        self.learned = LearnedModel(examples, self.keywords.tagged_tokens)
        self.weights = weights

    def classify(self, text: str) -> Classification:
        """Classify one text; see the module docstring for how the layers combine."""
        w = self.weights
        ev: Evidence = self.keywords.evidence(text)
        nb = self.learned.predict(text)
        if ev.strength <= 0:  # no problem word: subjects alone, or nothing at all
            problem = (ev.problem and nb.problem >= w.detect_veto) or (
                not ev.positive and nb.problem >= w.detect_alone
            )
        else:
            problem = ev.problem
        if not problem:
            return NO_PROBLEM
        category, confidence = _top(_mix(ev.changzhou, nb.changzhou, w.keyword_share))
        category_alt, _ = _top(_mix(ev.chaihudian, nb.chaihudian, w.keyword_share))
        kind, _ = _top(_mix(ev.kinds, nb.kind, w.kind_keyword_share))
        terms = list(ev.terms)
        for feat in self.learned.changzhou.explain(nb.features, category, 2 * LEARNED_TERMS):
            bare = feat.lstrip("~非")
            if _FUNCTION_CHARS.intersection(bare) or any(bare in t for t in terms):
                continue  # "~校的" explains nothing to a reader; "~卫生" repeats 卫生室
            if len(terms) < len(ev.terms) + LEARNED_TERMS:
                terms.append(feat)
        low = confidence < w.low_confidence
        return Classification(
            problem=True,
            category=OTHER if low else category,
            category_alt=OTHER if low else category_alt,
            kind=kind or DEFAULT_KIND,
            confidence=round(confidence, 3),
            terms=tuple(terms),
            needs_review=low,
        )


_model: HybridModel | None = None
_lock = threading.Lock()


def model() -> HybridModel:
    """The process-wide model, built on first use (jieba loads once per process)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = HybridModel(load_lexicon(), read_examples(TRAINING_PATH))
    return _model


def classify(text: str) -> Classification:
    """Classify one text with the shared model (the function the bot and CLI use)."""
    return model().classify(text)
