"""The transcript replayer itself, on the built-in handlers."""

from __future__ import annotations

from pathlib import Path

from bot.devtools.fakewecom import RunningFake
from bot.handlers.prompts import help_text
from bot.runtime import Runtime
from tests.support.transcripts import assert_transcript, replay
from tests.support.wecom import add_cadre

HELP = "\n".join(f"< {line}" for line in help_text().split("\n"))
BASIC = f"""\
# the built-in handlers
> 帮助
{HELP}
> !event enter_agent
< 您好，张三！欢迎使用民情大走访助手。
{HELP}
> !voice
< 抱歉，暂不支持这种消息类型。请发送文字，或发送“帮助”查看可用指令。
"""


def test_transcript_replays_and_matches(
    api_runtime: Runtime, fake: RunningFake, tmp_path: Path
) -> None:
    with api_runtime.unit_of_work() as s:
        add_cadre(s, "zhangsan", name="张三")
    path = tmp_path / "basic.txt"
    path.write_text(BASIC, encoding="utf-8")
    assert_transcript(path, api_runtime, fake)


def test_unknown_user_in_a_replay_is_refused_politely(
    api_runtime: Runtime, fake: RunningFake
) -> None:
    got = replay(api_runtime, fake, ["帮助"], userid="nobody")
    assert got[0] == "> 帮助" and "管理员" in got[1]
