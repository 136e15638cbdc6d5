"""Accuracy of the problem classifier on the labelled sentences in tests/data/.

For each file: problem / no-problem detection accuracy, top-1 category accuracy per
scheme (on the problem sentences), kind accuracy, and a confusion table per scheme
(rows: label, columns: prediction). With ``--errors`` also lists every miss.

- ``problems_labelled.tsv`` (345 sentences) was written together with the keyword
  lexicon, and the lexicon was iterated on it: its figures are in-sample.
- ``problems_holdout.tsv`` (61 sentences) was written after the first lexicon and
  scored blind once (see docs/ledger.md); the lexicon was widened after that, so it is
  no longer blind either. New blind sentences are the honest test of a change.

    .venv/bin/python benchmarks/classify_accuracy.py [--errors] [FILE ...]
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.ledger.classify import classify  # noqa: E402
from storage.vocab import CATEGORIES_CHAIHUDIAN, CATEGORIES_CHANGZHOU  # noqa: E402

DEFAULT_FILE = ROOT / "tests" / "data" / "problems_labelled.tsv"
HOLDOUT_FILE = ROOT / "tests" / "data" / "problems_holdout.tsv"
HOLDOUT2_FILE = ROOT / "tests" / "data" / "problems_holdout2.tsv"
HOLDOUT3_FILE = ROOT / "tests" / "data" / "problems_holdout3.tsv"


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


def evaluate(rows: list[Row]) -> Scores:
    detected = cz = chd = kind = 0
    confusion: dict[str, Counter[tuple[str, str]]] = {
        "changzhou": Counter(),
        "chaihudian": Counter(),
    }
    errors = []
    problems = [r for r in rows if r.problem]
    for row in rows:
        got = classify(row.text)
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
    print("\nconfusion, changzhou (rows = label, columns = prediction)")
    print(confusion_table(s.confusion["changzhou"], CATEGORIES_CHANGZHOU))
    print("\nconfusion, chaihudian")
    print(confusion_table(s.confusion["chaihudian"], CATEGORIES_CHAIHUDIAN))
    if errors:
        print("\nmisses:")
        print("\n".join(s.errors))
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "files",
        nargs="*",
        type=Path,
        default=[DEFAULT_FILE, HOLDOUT_FILE, HOLDOUT2_FILE, HOLDOUT3_FILE],
    )
    parser.add_argument("--errors", action="store_true", help="list every miss")
    args = parser.parse_args()
    for path in args.files:
        report(path, args.errors)


if __name__ == "__main__":
    main()
