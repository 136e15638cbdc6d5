"""Accuracy of the problem classifier on the labelled sentences in tests/data/.

For each set: problem / no-problem detection accuracy, top-1 category accuracy per
scheme (on the problem sentences), kind accuracy, a confusion table per scheme
(rows: label, columns: prediction) and the time per sentence. With ``--errors`` also
lists every miss; with ``--table`` prints one Markdown row per set instead.

Sets (``tests/data/problems_NAME.tsv``; see docs/ledger.md for their history):

- ``labelled`` (345): written with the lexicon and iterated on: in-sample.
- ``holdout``, ``holdout2``, ``holdout3`` (about 60 each): blind when first scored,
  then used to widen the vocabulary, so no longer blind.
- ``blind`` (157), ``blind2`` (124), ``blind3`` (116): each written after a round of
  changes, committed, scored once, then read.
- ``blind4`` (156): written before the hybrid (v3), committed, scored before and once
  after it; the learned layer never trains on it.

Since v3 the learned layer trains on every set but ``blind4``
(benchmarks/train_classifier.py), so those rows are in-sample; ``--cv K`` prints K-fold
cross-validation over them instead (the learned layer retrained per fold), ``--focus
blind3`` scores only blind3's held rows (the set the lexicon was least fitted to), and
``--grid`` tries a small grid of combining weights.

    .venv/bin/python benchmarks/classify_accuracy.py [--set NAME ...] [--errors] [--table]
    .venv/bin/python benchmarks/classify_accuracy.py --cv 5 [--focus blind3] [--grid]
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.ledger.classify import Weights, classify  # noqa: E402
from bot.ledger.lexicon import load_lexicon  # noqa: E402
from storage.vocab import CATEGORIES_CHAIHUDIAN, CATEGORIES_CHANGZHOU  # noqa: E402
from tests.support.classifier import (  # noqa: E402
    SETS,
    TRAINING_SETS,
    cross_validate,
    evaluate,
    read_rows,
    set_path,
)


def confusion_table(counts: Counter[tuple[str, str]], labels: tuple[str, ...]) -> str:
    width = 6
    head = "label \\ got".ljust(12) + "".join(c[:4].ljust(width) for c in labels)
    lines = [head]
    for want in labels:
        cells = "".join(str(counts.get((want, got), "") or ".").ljust(width) for got in labels)
        lines.append(want.ljust(12 - len(want)) + cells)
    return "\n".join(lines)


def report(path: Path, errors: bool) -> None:
    s = evaluate(read_rows(path))
    print(f"== {path.name}")
    print(f"labelled sentences: {s.rows} ({s.problems} problems, {s.rows - s.problems} no-problem)")
    print(f"problem / no-problem detection: {s.detection:.1%}")
    print(f"top-1 category, changzhou (seed 003): {s.changzhou:.1%}")
    print(f"top-1 category, chaihudian (seed 004): {s.chaihudian:.1%}")
    print(f"kind: {s.kind:.1%}")
    print(f"time: {s.ms_per_sentence:.2f} ms per sentence")
    print("\nconfusion, changzhou (rows = label, columns = prediction)")
    print(confusion_table(s.confusion["changzhou"], CATEGORIES_CHANGZHOU))
    print("\nconfusion, chaihudian")
    print(confusion_table(s.confusion["chaihudian"], CATEGORIES_CHAIHUDIAN))
    if errors:
        print("\nmisses:")
        print("\n".join(s.errors))
    print()


def table(paths: list[Path]) -> None:
    """One Markdown row per set, as in docs/ledger.md."""
    print(
        "| set | sentences | detection | 常州 (seed 003) | 柴胡店 (seed 004) | kind | ms/sentence |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for path in paths:
        s = evaluate(read_rows(path))
        print(
            f"| `{path.name}` | {s.rows} ({s.problems} problems) | {s.detection:.1%} "
            f"| {s.changzhou:.1%} | {s.chaihudian:.1%} | {s.kind:.1%} | {s.ms_per_sentence:.2f} |"
        )


def cv_report(k: int, grid: bool, focus: str | None = None) -> None:
    """Print k-fold figures for the default weights, or for a small grid of weights."""
    lex = load_lexicon()
    candidates = [Weights()]
    if grid:
        candidates = [
            Weights(ks, kks, da, dv, lc)
            for ks, kks, da, dv, lc in itertools.product(
                (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 1.0), (0.4, 0.6, 0.8), (0.8, 0.95), (0.2,), (0.3,)
            )
        ]
    print(f"{k}-fold cross-validation over {', '.join(TRAINING_SETS)}")
    if focus:
        print(f"scoring only the held rows of {focus}")
    print("weights | detection | changzhou | chaihudian | kind")
    for w in candidates:
        s = cross_validate(k, w, lex, focus)
        print(
            f"{w} | {s.detection:.1%} | {s.changzhou:.1%} | {s.chaihudian:.1%} | {s.kind:.1%}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="TSV files (default: every set)")
    parser.add_argument(
        "--set", dest="sets", action="append", choices=SETS, help="a named set (repeatable)"
    )
    parser.add_argument("--errors", action="store_true", help="list every miss")
    parser.add_argument("--table", action="store_true", help="one Markdown row per set")
    parser.add_argument("--cv", type=int, metavar="K", help="K-fold cross-validation instead")
    parser.add_argument("--grid", action="store_true", help="with --cv: try a grid of weights")
    parser.add_argument(
        "--focus", choices=TRAINING_SETS, help="with --cv: score only the held rows of this set"
    )
    args = parser.parse_args()
    if args.cv:
        cv_report(args.cv, args.grid, args.focus)
        return
    paths = list(args.files) + [set_path(n) for n in args.sets or []]
    if not paths:
        paths = [set_path(n) for n in SETS]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        parser.error(f"no such file: {missing[0]}")
    classify("预热")  # build the model (about a second) before anything is timed
    if args.table:
        table(paths)
        return
    for path in paths:
        report(path, args.errors)


if __name__ == "__main__":
    main()
