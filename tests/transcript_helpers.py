"""Replay a conversation transcript against the real webhook and compare, line by line.

A transcript (``tests/transcripts/*.txt``) is what ``minqing simulate --script``
prints: ``> what the user sent`` and ``< what the bot said`` lines; ``#`` lines are
comments. :func:`replay` sends every ``>`` line as a real encrypted callback to
the app served on a free port, drains the outbox into the fake WeCom after each
line, and returns the transcript it observed, so a test is::

    def test_visit_flow(api_runtime, fake):
        with api_runtime.unit_of_work() as s:
            add_cadre(s, "zhangsan", name="张三")
        assert_transcript(Path(__file__).parent / "transcripts/visit.txt", api_runtime, fake)

(``api_runtime`` and ``fake`` are the fixtures in tests/bot/conftest.py.)
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from bot.app import create_app
from bot.callback_client import CallbackSigner
from bot.fakewecom import RunningFake
from bot.handlers.router import Handler
from bot.outbox_worker import drain_once
from bot.runtime import Runtime
from bot.simulator import Simulator, play
from bot.wecom import CallbackCrypto
from tests.wecom_helpers import serve_in_thread


def user_lines(transcript: str) -> list[str]:
    return [line[2:] for line in transcript.splitlines() if line.startswith("> ")]


def expected_lines(transcript: str) -> list[str]:
    return [line.rstrip() for line in transcript.splitlines() if line.startswith(("> ", "< ", "<"))]


def replay(
    runtime: Runtime,
    fake: RunningFake,
    lines: Sequence[str],
    userid: str = "zhangsan",
    handlers: Sequence[Handler] | None = None,
) -> list[str]:
    """Send ``lines`` as ``userid``; return the transcript lines observed."""
    w = runtime.config.wecom
    signer = CallbackSigner(
        CallbackCrypto(w.token, w.encoding_aes_key, w.corp_id), w.agent_id, random.Random(0)
    )
    out: list[str] = []
    with serve_in_thread(create_app(runtime=runtime, handlers=handlers)) as live:
        sim = Simulator(
            signer=signer,
            userid=userid,
            webhook_url=f"{live.url}/wecom/callback",
            fake_url=fake.url,
            settle=lambda: drain_once(runtime),
            clock=lambda: runtime.clock().timestamp(),
        )
        play(sim, lines, out.append)
    return [line.rstrip() for line in out]


def assert_transcript(
    path: Path, runtime: Runtime, fake: RunningFake, userid: str = "zhangsan"
) -> None:
    text = path.read_text(encoding="utf-8")
    got = replay(runtime, fake, user_lines(text), userid)
    assert got == expected_lines(text), "\n".join(got)
