"""Issue 6 "Done when", end to end: a visit's problems go through the ledger by chat.

The transcript ``tests/transcripts/ledger/visit_to_followup.txt`` is replayed through
the real webhook with real encrypted callbacks by three people (cadre, leader, the
assignee office); afterwards the database must hold the story the chat told.
"""

from __future__ import annotations

from sqlalchemy import select

from bot import config as config_mod
from bot.devtools.fakewecom import RunningFake
from bot.runtime import Runtime
from storage.models import OutboxMessage, Problem, Unit
from storage.problems import history
from tests.support.clock import MutableClock
from tests.support.config import config_dict
from tests.support.paths import TRANSCRIPTS
from tests.support.roster import CADRE, LEADER, seed
from tests.support.transcripts import play_and_check, simulators
from tests.support.wecom import add_cadre

TRANSCRIPT = TRANSCRIPTS / "ledger/visit_to_followup.txt"
OFFICE = "zongzhi"


def test_visit_problem_is_assigned_closed_and_followed_up(
    db_url: str, fake: RunningFake, clock: MutableClock
) -> None:
    raw = config_dict(db_url, wecom={"api_base_url": fake.url})
    runtime = Runtime.from_config(config_mod.from_dict(raw, environ={}), clock=clock)
    try:
        roster = seed(runtime)
        with runtime.unit_of_work() as s:
            add_cadre(s, OFFICE, name="周综治", unit="镇综治办")
        lines = TRANSCRIPT.read_text(encoding="utf-8").splitlines()
        with simulators(runtime, fake, [CADRE, LEADER, OFFICE]) as sims:
            play_and_check(sims, lines, TRANSCRIPT.name)

        with runtime.unit_of_work() as s:
            problems = s.scalars(select(Problem).order_by(Problem.id)).all()
            assert [(p.text, p.kind, p.category) for p in problems] == [
                ("孙子上学的学费交不起", "困难需求", "教育文化"),
                ("房子东墙裂了一指宽", "安全隐患", "房屋土地"),
            ]
            first, wall = problems
            assert first.status == "registered" and first.visit_id == wall.visit_id
            assert wall.target_id == roster.targets["王大"]
            office = s.scalar(select(Unit).where(Unit.name == "镇综治办"))
            assert office is not None and wall.assignee_unit_id == office.id
            assert (wall.status, wall.satisfaction) == ("followed_up", "满意")
            assert [e.action for e in history(s, wall.id)] == [
                "register",
                "assign",
                "start",
                "solve",
                "follow_up",
            ]
            cards = [
                r
                for r in s.scalars(select(OutboxMessage)).all()
                if r.payload.get("msgtype") == "template_card"
                and r.payload["template_card"]["task_id"].startswith("ledger-reclass-")
            ]
            # One correction card per problem, to the finder only.
            assert sorted(r.recipient for r in cards) == [CADRE, CADRE]
    finally:
        runtime.close()
