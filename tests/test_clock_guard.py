"""Only bot/clock.py reads the wall clock; everything else is handed a clock or a ``now``.

A direct ``datetime.now()`` in a job or a handler is how a test that passed the day it
was written fails every day after (the 2026-11-26 red build). This walks the AST of
every Python file the project ships or runs — and of the tests themselves — and fails
on a wall-clock read outside the clock module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.paths import ROOT

FOLDERS = ("bot", "storage", "scheduler", "benchmarks", "examples", "tests", ".ci")
CLOCK_MODULE = ROOT / "bot" / "clock.py"

# (object, attribute) pairs that read the wall clock. ``time.monotonic`` and
# ``time.perf_counter`` measure durations, not dates, and stay allowed.
FORBIDDEN = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
}
FORBIDDEN_IMPORTS = {("time", "time"), ("time", "time_ns")}


def wall_clock_reads(source: str, name: str) -> list[str]:
    """``file:line what`` for every wall-clock read in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            owner_name = (
                owner.id
                if isinstance(owner, ast.Name)
                else owner.attr
                if isinstance(owner, ast.Attribute)
                else ""
            )
            if (owner_name, node.func.attr) in FORBIDDEN:
                found.append(f"{name}:{node.lineno} {owner_name}.{node.func.attr}()")
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if (node.module, alias.name) in FORBIDDEN_IMPORTS:
                    found.append(f"{name}:{node.lineno} from {node.module} import {alias.name}")
    return found


def project_files() -> list[Path]:
    files = [p for folder in FOLDERS for p in (ROOT / folder).rglob("*.py")]
    return [p for p in files if p != CLOCK_MODULE and ".venv" not in p.parts]


def test_nothing_but_the_clock_module_reads_the_wall_clock():
    offenders = []
    for path in project_files():
        rel = str(path.relative_to(ROOT))
        offenders += wall_clock_reads(path.read_text(encoding="utf-8"), rel)
    assert offenders == [], "read the time from the runtime's clock or a `now` argument"
    assert len(project_files()) > 100  # the walk really covers the tree


@pytest.mark.parametrize(
    "snippet",
    [
        "from datetime import datetime, UTC\nx = datetime.now(UTC)\n",
        "import datetime\nx = datetime.datetime.now()\n",
        "from datetime import datetime\nx = datetime.utcnow()\n",
        "from datetime import date\nx = date.today()\n",
        "import time\nx = time.time()\n",
        "from time import time\nx = time()\n",
        "import datetime as dt\nx = dt.datetime.now()\n",
    ],
)
def test_the_guard_catches_each_way_of_reading_the_wall_clock(snippet):
    assert wall_clock_reads(snippet, "handler.py")


def test_the_guard_lets_durations_and_passed_in_times_through():
    fine = (
        "import time\nstart = time.monotonic()\nx = time.perf_counter()\n"
        "def f(now):\n    return now.date()\n"
    )
    assert wall_clock_reads(fine, "job.py") == []
