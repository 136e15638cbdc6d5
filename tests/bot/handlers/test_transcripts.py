"""Every template walked end to end as a transcript through the REAL webhook.

Each ``tests/transcripts/<template>.txt`` is a ``minqing simulate --script`` file:
lines are what the cadre sends (numbers after a card press its buttons). Comment
lines carry the checks, which the simulator itself ignores:

- ``# template: NAME``  — the campaign's template;
- ``# expect: TEXT``    — the bot's answer to the previous line contains TEXT;
- ``# visit: N``        — count the messages from here; the next ``已保存`` must come
  within N (the field-speed budget: 12 at home, 6 for a not-at-home 一般农户).
  Photos and locations (``!image``, ``!location``) are optional and not counted.

A real HTTP server runs the app; the callbacks are encrypted and signed as WeCom
does; cards go through the outbox to the fake WeCom API and come back as buttons.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot import config as config_mod
from bot.app import create_app
from bot.callback_client import CallbackSigner
from bot.fakewecom import RunningFake
from bot.outbox_worker import drain_once
from bot.runtime import Runtime
from bot.simulator import Simulator
from bot.wecom import CallbackCrypto
from tests.bot.conftest import MutableClock, serve_in_thread
from tests.bot.handlers.roster import CADRE, seed
from tests.conftest import TEST_AES_KEY, TEST_CORP_ID, TEST_TOKEN, config_dict

TRANSCRIPTS = Path(__file__).resolve().parents[2] / "transcripts"
FILES = sorted(TRANSCRIPTS.glob("*.txt"))


def directive(line: str, name: str) -> str | None:
    prefix = f"# {name}:"
    return line[len(prefix) :].strip() if line.startswith(prefix) else None


def test_there_is_a_transcript_per_template() -> None:
    from bot.dialogs.template import available

    assert {f.stem for f in FILES} == set(available())


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_transcript(path: Path, db_url: str, fake: RunningFake, clock: MutableClock) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    template = directive(lines[0], "template")
    assert template == path.stem
    raw = config_dict(db_url, wecom={"api_base_url": fake.url}, campaign={"template": template})
    runtime = Runtime.from_config(config_mod.from_dict(raw, environ={}), clock=clock)
    try:
        seed(runtime, template)
        signer = CallbackSigner(
            CallbackCrypto(TEST_TOKEN, TEST_AES_KEY, TEST_CORP_ID), 1000002, random.Random(5)
        )
        with serve_in_thread(create_app(runtime=runtime)) as live:
            sim = Simulator(
                signer=signer,
                userid=CADRE,
                webhook_url=f"{live.url}/wecom/callback",
                fake_url=fake.url,
                settle=lambda: drain_once(runtime),
            )
            play_and_check(sim, lines, path.name)
    finally:
        runtime.close()


def play_and_check(sim: Simulator, lines: list[str], name: str) -> None:
    said: list[str] = []
    budget: int | None = None
    count = 0
    saves = 0
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if (value := directive(line, "visit")) is not None:
            budget, count = int(value), 0
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
        # Photos and locations are optional evidence, not part of the field-speed count.
        count += 0 if line.startswith(("!image", "!location")) else 1
        assert not any(s.startswith("[HTTP") for s in said), f"{name}:{number}: {said}"
    assert saves >= 1
