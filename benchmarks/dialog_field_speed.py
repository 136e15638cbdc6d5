"""Field speed per template: messages from 走访 to 已保存, and the engine's time per message.

Run: .venv/bin/python benchmarks/dialog_field_speed.py (from the repository root)
Walks each shipped template through the pure engine (no database) for an at-home
household with no problem and a not-at-home 一般农户, and prints a table.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import DEFAULT_TIMEZONE
from bot.dialogs import engine
from bot.dialogs.contracts import Context, Message, TargetInfo
from bot.dialogs.state import DialogState
from bot.dialogs.template import available, load_named

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.support.dialogs import NO_PROBLEM_SCRIPTS  # noqa: E402

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
HOUSE = TargetInfo(1, "张三", "15号", "3组", "13800000001", False, ("一般农户",))
VILLAGE = TargetInfo(2, "新桥村", "村委会", "", "", False, (), kind="village")
# The scripts the field-speed test enforces, so the printed counts are the tested ones.
AT_HOME = NO_PROBLEM_SCRIPTS
AWAY = ["不在家", "1", "春节后，广东东莞，务工"]


def walk(name: str, script: list[str], target: TargetInfo) -> tuple[int, float, str]:
    template = load_named(name)
    ctx = Context(NOW, ZoneInfo(DEFAULT_TIMEZONE), (target,))
    state = DialogState()
    taps, spent, last = 0, 0.0, ""
    for text in ["走访", target.name, *script, "1"]:
        started = time.perf_counter()
        outcome = engine.step(template, state, Message(text=text), ctx)
        spent += time.perf_counter() - started
        state, taps = outcome.state, taps + 1
        last = outcome.replies[-1].text
    return taps, spent / taps * 1000, last.splitlines()[0]


def main() -> None:
    print(f"{'template':32} {'at home':>8} {'away':>6} {'ms/msg':>7}  saved reply")
    for name in available():
        target = VILLAGE if name == "changzhou_village" else HOUSE
        taps, ms, saved = walk(name, AT_HOME[name], target)
        away = "-" if name == "changzhou_village" else str(walk(name, AWAY, HOUSE)[0])
        print(f"{name:32} {taps:>8} {away:>6} {ms:>7.2f}  {saved}")


if __name__ == "__main__":
    main()
