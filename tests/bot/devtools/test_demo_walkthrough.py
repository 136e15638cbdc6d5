"""examples/demo_walkthrough.txt, the newcomer's tour of the demo, replayed.

Issue 5 "Done when": a newcomer runs the demo, types 走访 and logs a visit in each
template, including a not-at-home one. The walkthrough switches templates in chat as
the demo's administrator (``!user demo_admin`` then ``模板 NAME``) and logs visits as
``demo_cadre``. Here it runs against the real webhook with real encrypted callbacks
on the demo roster (the same workbook ``minqing demo`` imports), without the demo's
subprocesses; the checks are the file's own ``# expect:`` lines. It ends with the ledger
round trip the README promises (a leader 交办s, 受理s and 办结s a problem; the finder
gets 【请回访】 and logs 回访), and its first household is picked by a misspelt name.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from bot import config as config_mod
from bot.devtools.fakewecom import RunningFake
from bot.dialogs.template import available
from bot.runtime import Runtime
from storage.models import Problem, Visit
from storage.roster import CampaignSpec, import_roster
from storage.roster.demo import DEMO_CADRE, build_demo_roster
from tests.support.clock import MutableClock
from tests.support.config import config_dict
from tests.support.paths import ROOT
from tests.support.transcripts import play_and_check, simulators

WALKTHROUGH = ROOT / "examples/demo_walkthrough.txt"


def test_the_demo_walkthrough_logs_a_visit_in_every_template(
    db_url: str, fake: RunningFake, clock: MutableClock, tmp_path: Path
) -> None:
    raw = config_dict(db_url, wecom={"api_base_url": fake.url})
    runtime = Runtime.from_config(config_mod.from_dict(raw, environ={}), clock=clock)
    try:
        roster = build_demo_roster(tmp_path / "demo.xlsx", date(2026, 11, 23))
        cfg = runtime.config.campaign
        with runtime.unit_of_work() as s:
            done = import_roster(s, roster, CampaignSpec(cfg.name, cfg.template), clock(), "test")
            assert done.ok, done.problems
        lines = WALKTHROUGH.read_text(encoding="utf-8").splitlines()
        with simulators(runtime, fake, [DEMO_CADRE]) as sims:
            saves = play_and_check(sims, lines, WALKTHROUGH.name)
        with runtime.unit_of_work() as s:
            visits = s.scalars(select(Visit)).all()
            assert {v.template for v in visits} == set(available())
            assert len(visits) == saves
            assert {"visited", "away"} <= {v.outcome for v in visits}
            # ...and the ledger round trip at its end: 交办, 受理, 办结, 回访.
            first = s.get(Problem, 1)
            assert first is not None and first.status == "followed_up"
            assert first.satisfaction == "满意"
    finally:
        runtime.close()


def test_the_readme_demo_examples_are_lines_of_the_walkthrough() -> None:
    """The README's "In the demo" examples are ones the walkthrough really plays."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    played = set(WALKTHROUGH.read_text(encoding="utf-8").splitlines())
    assert '"高志墙"也能找到高志强' in readme and "高志墙" in played
    for example in ("交办 1 综治办 7天", "受理 1"):
        assert f"· {example} ·" in readme and example in played
    assert "the ledger round trip" in readme and "回访 1 满意 已电话告知" in played
