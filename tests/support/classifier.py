"""Scoring the problem classifier on the labelled sentences in tests/data/.

Shared by tests/bot/ledger/test_classify.py (accuracy floors, the committed training
file) and the benchmarks (benchmarks/classify_accuracy.py prints the figures,
benchmarks/train_classifier.py writes bot/ledger/data/training.tsv).
"""

from __future__ import annotations

import csv
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.ledger.classify import Classification, HybridModel, Weights, classify
from bot.ledger.learned import Example
from bot.ledger.lexicon import load_lexicon
from tests.support.paths import TESTS

DATA_DIR = TESTS / "data"
SETS = ("labelled", "holdout", "holdout2", "holdout3", "blind", "blind2", "blind3", "blind4")
# The sets the learned layer trains on (:func:`training_text`); blind4 stays out.
TRAINING_SETS = SETS[:-1]
DEFAULT_FILE = DATA_DIR / "problems_labelled.tsv"
HEADER = "text\tproblem\tcategory_changzhou\tcategory_chaihudian\tkind"


def set_path(name: str) -> Path:
    """The file of a named set: ``blind`` -> tests/data/problems_blind.tsv."""
    return DATA_DIR / f"problems_{name}.tsv"


@dataclass(frozen=True)
class Row:
    text: str
    problem: bool
    changzhou: str
    chaihudian: str
    kind: str


@dataclass(frozen=True)
class Scores:
    rows: int
    problems: int
    detection: float
    changzhou: float
    chaihudian: float
    kind: float
    confusion: dict[str, Counter[tuple[str, str]]]
    errors: list[str]
    ms_per_sentence: float


def read_rows(path: Path = DEFAULT_FILE) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t")
        return [
            Row(
                r["text"],
                r["problem"] == "1",
                r["category_changzhou"],
                r["category_chaihudian"],
                r["kind"],
            )
            for r in reader
        ]


def evaluate(rows: list[Row], fn: Callable[[str], Classification] = classify) -> Scores:
    detected = cz = chd = kind = 0
    confusion: dict[str, Counter[tuple[str, str]]] = {
        "changzhou": Counter(),
        "chaihudian": Counter(),
    }
    errors = []
    problems = [r for r in rows if r.problem]
    started = time.perf_counter()
    verdicts = [fn(row.text) for row in rows]
    elapsed = time.perf_counter() - started
    for row, got in zip(rows, verdicts, strict=True):
        if got.problem == row.problem:
            detected += 1
        else:
            errors.append(
                f"detect   want={int(row.problem)} got={int(got.problem)}  {row.text}  {got.terms}"
            )
        if not row.problem:
            continue
        confusion["changzhou"][(row.changzhou, got.category)] += 1
        confusion["chaihudian"][(row.chaihudian, got.category_alt)] += 1
        cz += got.category == row.changzhou
        chd += got.category_alt == row.chaihudian
        kind += got.kind == row.kind
        if got.category != row.changzhou:
            errors.append(
                f"changzhou want={row.changzhou} got={got.category}  {row.text}  {got.terms}"
            )
        if got.category_alt != row.chaihudian:
            errors.append(f"chaihudian want={row.chaihudian} got={got.category_alt}  {row.text}")
        if got.kind != row.kind:
            errors.append(f"kind     want={row.kind} got={got.kind}  {row.text}")
    n = max(1, len(problems))
    return Scores(
        rows=len(rows),
        problems=len(problems),
        detection=detected / max(1, len(rows)),
        changzhou=cz / n,
        chaihudian=chd / n,
        kind=kind / n,
        confusion=confusion,
        errors=errors,
        ms_per_sentence=1000 * elapsed / max(1, len(rows)),
    )


def cross_validate(
    k: int, weights: Weights, lexicon: object = None, focus: str | None = None
) -> Scores:
    """k-fold cross-validation over the training sets: the learned layer is trained on
    k-1 folds and scored on the held fold (the keyword lexicon is fixed: it was built
    with all of these sentences in view, so this measures the learned layer and the
    combination, not the lexicon). Folds are a seeded shuffle, so reruns agree."""
    rows = [r for name in TRAINING_SETS for r in read_rows(set_path(name))]
    rows = list({r.text: r for r in rows}.values())
    scored = {r.text for r in read_rows(set_path(focus))} if focus else {r.text for r in rows}
    random.Random(2026).shuffle(rows)
    lex = lexicon or load_lexicon()
    folds = [rows[i::k] for i in range(k)]
    held: list[Row] = []
    verdicts: dict[str, Classification] = {}
    for i, fold in enumerate(folds):
        train = [r for j, f in enumerate(folds) if j != i for r in f]
        hybrid = HybridModel(
            lex,  # type: ignore[arg-type]
            [Example(r.text, r.problem, r.changzhou, r.chaihudian, r.kind) for r in train],
            weights,
        )
        for r in fold:
            if r.text in scored:
                verdicts[r.text] = hybrid.classify(r.text)
                held.append(r)
    return evaluate(held, verdicts.__getitem__)


def training_text(sets: tuple[str, ...] = TRAINING_SETS) -> str:
    """The content of training.tsv built from ``tests/data/problems_<set>.tsv``."""
    seen: set[str] = set()
    lines = [HEADER]
    for name in sets:
        rows = set_path(name).read_text(encoding="utf-8").splitlines()
        if rows[0] != HEADER:
            raise SystemExit(f"problems_{name}.tsv: unexpected header {rows[0]!r}")
        for line in rows[1:]:
            text = line.split("\t", 1)[0]
            if line.strip() and text not in seen:
                seen.add(text)
                lines.append(line)
    return "\n".join(lines) + "\n"
