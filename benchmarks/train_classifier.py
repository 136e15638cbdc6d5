"""Write bot/ledger/data/training.tsv, the learned layer's training sentences.

The training sets are the labelled sets that have all been read while the lexicon was
built (``TRAINING_SETS`` in tests/support/classifier.py, which builds the text);
``blind4`` and any later blind set stay out, so they can still be scored honestly. The output is deterministic (the sets in order, duplicates
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
from tests.support.classifier import training_text  # noqa: E402


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
