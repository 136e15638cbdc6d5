"""Write bot/ledger/data/training.tsv, the learned layer's training sentences.

The training sets are the labelled sets that have all been read while the lexicon was
built (:data:`TRAINING_SETS`); ``blind4`` and any later blind set stay out, so they can
still be scored honestly. The output is deterministic (the sets in order, duplicates
dropped), and a test checks the committed file is what this script writes.

    .venv/bin/python benchmarks/train_classifier.py [--check]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.ledger.learned import TRAINING_PATH  # noqa: E402

DATA_DIR = ROOT / "tests" / "data"
TRAINING_SETS = ("labelled", "holdout", "holdout2", "holdout3", "blind", "blind2", "blind3")
HEADER = "text\tproblem\tcategory_changzhou\tcategory_chaihudian\tkind"


def training_text(sets: tuple[str, ...] = TRAINING_SETS) -> str:
    """The content of training.tsv built from ``tests/data/problems_<set>.tsv``."""
    seen: set[str] = set()
    lines = [HEADER]
    for name in sets:
        rows = (DATA_DIR / f"problems_{name}.tsv").read_text(encoding="utf-8").splitlines()
        if rows[0] != HEADER:
            raise SystemExit(f"problems_{name}.tsv: unexpected header {rows[0]!r}")
        for line in rows[1:]:
            text = line.split("\t", 1)[0]
            if line.strip() and text not in seen:
                seen.add(text)
                lines.append(line)
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    args = parser.parse_args()
    text = training_text()
    if args.check:
        if TRAINING_PATH.read_text(encoding="utf-8") != text:
            raise SystemExit(f"{TRAINING_PATH} is stale: run benchmarks/train_classifier.py")
        print(f"{TRAINING_PATH.name} is up to date")
        return
    TRAINING_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {TRAINING_PATH} ({text.count(chr(10)) - 1} sentences)")


if __name__ == "__main__":
    main()
