"""Server time of every /m/ page on the demo roster (600 households), as the demo leader.

Builds the demo's database in a temporary folder (``minqing demo``'s own ``prepare``:
the config, the migrations, the demo roster), logs in with a signed link, then asks
each page ``--runs`` times through the app (no network, no browser) and prints the
median and the slowest time. Pages must answer well under 1 s here; the 100 000
household figure is benchmarks' scale run.

    .venv/bin/python benchmarks/pages.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from bot import config as config_mod
from bot.app import create_app
from bot.devtools import demo
from bot.pages.links import overview_url
from bot.runtime import Runtime
from storage.roster.demo import DEMO_LEADER

PAGES = (
    "/m/",
    "/m/problems",
    "/m/review",
    "/m/downloads",
    "/m/downloads/summary.xlsx?period=all",
    "/m/downloads/issues.xlsx?period=month",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        var = Path(folder) / "var"
        config_path = demo.prepare(var, demo.free_port(), demo.free_port())
        runtime = Runtime.from_config(config_mod.load(config_path))
        try:
            client = create_app(runtime=runtime).test_client()
            link = urlsplit(overview_url(runtime.config, DEMO_LEADER, runtime.clock()))
            assert client.get(f"{link.path}?{link.query}").status_code == 302
            print(f"{'page':42s} {'median':>9s} {'slowest':>9s}")
            for path in PAGES:
                times = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    answer = client.get(path)
                    times.append(time.perf_counter() - start)
                    if answer.status_code != 200:
                        print(f"{path}: HTTP {answer.status_code}", file=sys.stderr)
                        return 1
                median, slowest = statistics.median(times) * 1000, max(times) * 1000
                print(f"{path:42s} {median:7.1f}ms {slowest:7.1f}ms")
        finally:
            runtime.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
