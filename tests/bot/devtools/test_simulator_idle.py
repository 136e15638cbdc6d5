"""The interactive chat prints what is pushed while the user is not typing."""

from __future__ import annotations

import threading

import requests

from bot.devtools import simulator_cli


class PushedOnce:
    """A simulator stand-in: the fake is unreachable once, then one reminder arrives."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self.answers: list[object] = [requests.ConnectionError("down"), ["【截止提醒】还有 3 天"]]

    def poll(self) -> list[str]:
        answer = self.answers.pop(0) if self.answers else []
        if not self.answers:
            self.stop.set()
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[return-value]


def test_watch_idle_prints_pushed_lines_then_the_prompt_again(capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(simulator_cli, "IDLE_POLL_SECONDS", 0.01)
    stop = threading.Event()
    simulator_cli.watch_idle(PushedOnce(stop), stop, "你> ")  # type: ignore[arg-type]
    out = capsys.readouterr().out
    assert out == "\r机器人< 【截止提醒】还有 3 天\n你> "
