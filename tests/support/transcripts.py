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
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from bot.app import create_app
from bot.devtools.callback_client import CallbackSigner
from bot.devtools.fakewecom import RunningFake
from bot.devtools.simulator import Simulator, play
from bot.handlers.router import Handler
from bot.outbox.worker import drain_once
from bot.runtime import Runtime
from bot.wecom.crypto import CallbackCrypto
from tests.support.wecom import serve_in_thread


def user_lines(transcript: str) -> list[str]:
    return [line[2:] for line in transcript.splitlines() if line.startswith("> ")]


def expected_lines(transcript: str) -> list[str]:
    return [line.rstrip() for line in transcript.splitlines() if line.startswith(("> ", "< ", "<"))]


def signer_for(runtime: Runtime, seed: int = 0) -> CallbackSigner:
    """Signs callbacks with the runtime's WeCom secrets, as WeCom would."""
    w = runtime.config.wecom
    return CallbackSigner(
        CallbackCrypto(w.token, w.encoding_aes_key, w.corp_id), w.agent_id, random.Random(seed)
    )


@contextmanager
def simulators(
    runtime: Runtime, fake: RunningFake, userids: Sequence[str], seed: int = 0
) -> Iterator[dict[str, Simulator]]:
    """The app on a free port and one simulator per user (outbox drained after each line)."""
    with serve_in_thread(create_app(runtime=runtime)) as live:
        yield {
            u: Simulator(
                signer=signer_for(runtime, seed + i),
                userid=u,
                webhook_url=f"{live.url}/wecom/callback",
                fake_url=fake.url,
                settle=lambda: drain_once(runtime),
            )
            for i, u in enumerate(userids)
        }


def replay(
    runtime: Runtime,
    fake: RunningFake,
    lines: Sequence[str],
    userid: str = "zhangsan",
    handlers: Sequence[Handler] | None = None,
) -> list[str]:
    """Send ``lines`` as ``userid``; return the transcript lines observed."""
    signer = signer_for(runtime)
    out: list[str] = []
    with serve_in_thread(create_app(runtime=runtime, handlers=handlers)) as live:
        sim = Simulator(
            signer=signer,
            userid=userid,
            webhook_url=f"{live.url}/wecom/callback",
            fake_url=fake.url,
            settle=lambda: drain_once(runtime),
            clock=runtime.clock,
        )
        play(sim, lines, out.append)
    return [line.rstrip() for line in out]


def assert_transcript(
    path: Path, runtime: Runtime, fake: RunningFake, userid: str = "zhangsan"
) -> None:
    text = path.read_text(encoding="utf-8")
    got = replay(runtime, fake, user_lines(text), userid)
    assert got == expected_lines(text), "\n".join(got)


def directive(line: str, name: str) -> str | None:
    """The value of a ``# name: value`` comment line, else None."""
    prefix = f"# {name}:"
    return line[len(prefix) :].strip() if line.startswith(prefix) else None


def play_and_check(sims: Mapping[str, Simulator], lines: Sequence[str], name: str) -> int:
    """Play a checked transcript; returns how many visits it saw saved.

    ``sims`` maps userids to simulators; lines are sent as the first one until a
    ``# user: USERID`` line switches. ``# expect: TEXT`` checks the answer to the last
    line sent (passive reply and pushed messages, so a notice the user received since
    their previous line shows up too); ``# visit: N`` starts a field-speed count that
    the next expected ``已保存`` must stay within. Fails unless a visit was saved.
    """
    sim = next(iter(sims.values()))
    said: list[str] = []
    budget: int | None = None
    count = 0
    saves = 0
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if (who := directive(line, "user")) is not None:
            sim, said = sims[who], []
            continue
        if (value := directive(line, "visit")) is not None:
            budget, count = int(value.split()[0]), 0
            continue
        if (expected := directive(line, "expect")) is not None:
            shown = "\n".join(said)
            assert expected in shown, f"{name}:{number}: expected {expected!r} in:\n{shown}"
            if expected.startswith("已保存"):
                saves += 1
                if budget is not None:
                    assert count <= budget, f"{name}:{number}: {count} messages > {budget}"
                    budget = None
            continue
        if not line or line.startswith("#"):
            continue
        said = sim.send(line)
        # Photos and locations are optional evidence, not part of the field-speed count
        # (nor is switching who chats).
        count += 0 if line.startswith(("!image", "!location", "!user")) else 1
        assert not any(s.startswith("[HTTP") for s in said), f"{name}:{number}: {said}"
    assert saves >= 1, f"{name}: no visit was saved"
    return saves
