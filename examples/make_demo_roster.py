"""Write the synthetic demo roster workbook (invented people, fake phone numbers).

    .venv/bin/python examples/make_demo_roster.py --today 2026-11-23 examples/demo_roster.xlsx

The phases' dates are relative to ``--today`` (default: today). The committed
``examples/demo_roster.xlsx`` was made with ``--today 2026-11-23``. The logic lives
in :mod:`storage.roster.demo` so ``minqing demo`` can build a fresh one.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import system_clock
from bot.config import DEFAULT_TIMEZONE
from storage.roster.demo import DEMO_SEED, build_demo_roster


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "output", type=Path, nargs="?", default=Path(__file__).with_name("demo_roster.xlsx")
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="YYYY-MM-DD (default: today in Asia/Shanghai on the process clock)",
    )
    parser.add_argument("--seed", type=int, default=DEMO_SEED)
    parser.add_argument("--targets", type=int, default=600, help="number of 走访对象 rows")
    args = parser.parse_args(argv)
    today = args.today or system_clock()().astimezone(ZoneInfo(DEFAULT_TIMEZONE)).date()
    path = build_demo_roster(args.output, today, seed=args.seed, targets=args.targets)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
