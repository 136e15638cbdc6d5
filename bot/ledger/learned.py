"""The learned layer: naive Bayes over words and character pairs, trained at load.

The training sentences are ``data/training.tsv`` (columns text, problem,
category_changzhou, category_chaihudian, kind), written by
``benchmarks/train_classifier.py`` from the labelled sets in ``tests/data``. Training
is counting (well under a second for a thousand sentences), so nothing generated
but that file is committed, and the model is the same on every run.

Features of a text (:meth:`LearnedModel.features`): the jieba tokens the keyword layer
sees, each once, prefixed ``非`` when a negation governs it (so "没有矛盾" and "矛盾"
differ), plus the text's character pairs (``~漏水``) which carry words the tokenizer
splits or the dictionary lacks. Three multinomial naive Bayes models over binary
features: changzhou category, chaihudian category and kind (problem rows only), and
one for problem / no problem.

:meth:`NaiveBayes.explain` names the features that pushed a text toward a label most:
they are shown among the classifier's terms, so a learned verdict stays explainable.
"""

from __future__ import annotations

import csv
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
TRAINING_PATH = DATA_DIR / "training.tsv"
PAIR = "~"  # prefix of a character-pair feature
ASKS = "问句"  # feature of a text that ends as a question
QUESTION = re.compile(
    r"[?？]|(?:吗|呢|么|嘛|了没有|了没)[。！!~～]*$|(?:能不能|可不可以|有没有|怎么|哪里|哪儿|在哪|多少|是不是|行不行)"
)
_HAN = re.compile(r"[\u4e00-\u9fff]+")


@dataclass(frozen=True)
class Example:
    """One labelled sentence; the three labels are "-" when ``problem`` is false."""

    text: str
    problem: bool
    changzhou: str
    chaihudian: str
    kind: str


def read_examples(path: Path) -> list[Example]:
    """Rows of a labelled TSV file (the format of ``tests/data/problems_*.tsv``)."""
    with path.open(encoding="utf-8", newline="") as f:
        return [
            Example(
                r["text"],
                r["problem"] == "1",
                r["category_changzhou"],
                r["category_chaihudian"],
                r["kind"],
            )
            for r in csv.DictReader(f, delimiter="\t")
        ]


class NaiveBayes:
    """Multinomial naive Bayes over sets of string features, add-``alpha`` smoothing."""

    def __init__(self, docs: Sequence[Iterable[str]], labels: Sequence[str], alpha: float = 0.3):
        self.alpha = alpha
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        per_label = Counter(labels)
        vocab: set[str] = set()
        for feats, label in zip(docs, labels, strict=True):
            feats = set(feats)
            counts[label].update(feats)
            vocab |= feats
        self.labels = tuple(sorted(per_label))
        total = sum(per_label.values())
        # Priors flattened halfway to uniform: the sets over-represent no category on purpose.
        self.log_prior = {
            c: 0.5 * math.log(per_label[c] / total) + 0.5 * math.log(1 / len(self.labels))
            for c in self.labels
        }
        size = len(vocab) + 1
        self.log_unseen = {}
        self.log_like: dict[str, dict[str, float]] = {}
        for c in self.labels:
            denom = math.log(sum(counts[c].values()) + alpha * size)
            self.log_unseen[c] = math.log(alpha) - denom
            self.log_like[c] = {f: math.log(n + alpha) - denom for f, n in counts[c].items()}
        self.vocab = frozenset(vocab)

    def posterior(self, feats: Iterable[str]) -> dict[str, float]:
        """P(label | features), features outside the training vocabulary ignored."""
        known = [f for f in set(feats) if f in self.vocab]
        logs = {
            c: self.log_prior[c] + sum(self.log_like[c].get(f, self.log_unseen[c]) for f in known)
            for c in self.labels
        }
        top = max(logs.values())
        exp = {c: math.exp(v - top) for c, v in logs.items()}
        total = sum(exp.values())
        return {c: v / total for c, v in exp.items()}

    def explain(self, feats: Iterable[str], label: str, n: int = 3) -> list[str]:
        """The ``n`` features of the text that favour ``label`` most over the others."""
        others = [c for c in self.labels if c != label]
        if not others or label not in self.log_like:
            return []
        gains = []
        for f in sorted(set(feats) & self.vocab):
            mine = self.log_like[label].get(f, self.log_unseen[label])
            rest = max(self.log_like[c].get(f, self.log_unseen[c]) for c in others)
            if mine - rest > 0.5:
                gains.append((mine - rest, f))
        gains.sort(reverse=True)
        return [f for _, f in gains[:n]]


@dataclass(frozen=True)
class LearnedVerdict:
    """The learned layer's posteriors for one text (and its features, for explaining)."""

    problem: float
    changzhou: dict[str, float]
    chaihudian: dict[str, float]
    kind: dict[str, float]
    features: frozenset[str]


class LearnedModel:
    """Four naive Bayes models sharing one feature function; read-only once built."""

    def __init__(
        self, examples: Sequence[Example], tokens: Callable[[str], list[tuple[str, bool]]]
    ) -> None:
        self._tokens = tokens
        feats = [self.features(e.text) for e in examples]
        problems = [(f, e) for f, e in zip(feats, examples, strict=True) if e.problem]
        self.detect = NaiveBayes(feats, ["1" if e.problem else "0" for e in examples])
        self.changzhou = NaiveBayes([f for f, _ in problems], [e.changzhou for _, e in problems])
        self.chaihudian = NaiveBayes([f for f, _ in problems], [e.chaihudian for _, e in problems])
        self.kind = NaiveBayes([f for f, _ in problems], [e.kind for _, e in problems])

    def features(self, text: str) -> frozenset[str]:
        """Tokens (``非``-prefixed when negated) and character pairs of ``text``."""
        out = {("非" + tok) if negated else tok for tok, negated in self._tokens(text)}
        for run in _HAN.findall(text):
            out.update(PAIR + run[i : i + 2] for i in range(len(run) - 1))
        if QUESTION.search(text):
            out.add(ASKS)
        return frozenset(out)

    def predict(self, text: str) -> LearnedVerdict:
        feats = self.features(text)
        return LearnedVerdict(
            problem=self.detect.posterior(feats).get("1", 0.0),
            changzhou=self.changzhou.posterior(feats),
            chaihudian=self.chaihudian.posterior(feats),
            kind=self.kind.posterior(feats),
            features=feats,
        )
