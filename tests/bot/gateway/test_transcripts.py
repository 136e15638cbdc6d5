"""The transcript checker itself (tests/support/transcripts.py) on the built-in handlers.

The template transcripts are played in tests/bot/handlers/test_transcripts.py; here
the same checker, through the same real webhook and encrypted callbacks, checks whole
answers with ``# reply:``, a user outside the roster, and that a wrong check fails.
"""

from __future__ import annotations

import pytest

from bot.devtools.fakewecom import RunningFake
from bot.handlers.prompts import help_text
from bot.runtime import Runtime
from tests.support.transcripts import parse, play_and_check, simulators
from tests.support.wecom import add_cadre

HELP = [f"# reply: {line}" for line in help_text().split("\n")]
BASIC = [
    "# the built-in handlers",
    "帮助",
    *HELP,
    "!event enter_agent",
    "# reply: 您好，张三！欢迎使用民情大走访助手。",
    *HELP,
    "!voice",
    "# reply: 抱歉，暂不支持这种消息类型。请发送文字，或发送“帮助”查看可用指令。",
]


def test_whole_answers_are_checked_line_by_line(api_runtime: Runtime, fake: RunningFake) -> None:
    with api_runtime.unit_of_work() as s:
        add_cadre(s, "zhangsan", name="张三")
    with simulators(api_runtime, fake, ["zhangsan"]) as sims:
        saves = play_and_check(sims, BASIC, "basic", require_save=False)
    assert saves == 0


def test_unknown_user_is_refused_politely(api_runtime: Runtime, fake: RunningFake) -> None:
    lines = ["# user: nobody", "帮助", "# expect: 管理员"]
    with simulators(api_runtime, fake, ["zhangsan", "nobody"]) as sims:
        assert play_and_check(sims, lines, "nobody", require_save=False) == 0


@pytest.mark.parametrize(
    "check",
    [
        "# reply: 抱歉，暂不支持这种消息类型。",  # only the start of the line
        "# expect: 欢迎使用",  # not in this answer
    ],
)
def test_a_check_that_does_not_hold_fails(
    api_runtime: Runtime, fake: RunningFake, check: str
) -> None:
    with api_runtime.unit_of_work() as s:
        add_cadre(s, "zhangsan", name="张三")
    with simulators(api_runtime, fake, ["zhangsan"]) as sims:
        with pytest.raises(AssertionError, match="wrong:3"):
            play_and_check(sims, ["!voice", "", check], "wrong", require_save=False)


def test_an_answer_longer_than_its_replies_fails(api_runtime: Runtime, fake: RunningFake) -> None:
    with api_runtime.unit_of_work() as s:
        add_cadre(s, "zhangsan", name="张三")
    with simulators(api_runtime, fake, ["zhangsan"]) as sims:
        with pytest.raises(AssertionError, match="goes on beyond the replies"):
            play_and_check(sims, ["帮助", HELP[0]], "short", require_save=False)


def test_a_misspelt_check_is_an_error() -> None:
    with pytest.raises(ValueError, match="x.txt:2: unknown check 'expext'"):
        parse(["帮助", "# expext: 帮助"], "x.txt")
    assert [s.kind for s in parse(["# a comment", "帮助", "# visit: 6  (not at home)"])] == [
        "send",
        "visit",
    ]
