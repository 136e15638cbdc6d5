"""Every template walked end to end as a transcript through the REAL webhook.

Each ``tests/transcripts/<template>.txt`` is a transcript in the one format that
tests/support/transcripts.py defines and checks (``# template:``, ``# expect:``,
``# visit:`` budgets: 12 messages at home, 6 for a not-at-home 一般农户). This module
drives the visit handlers with the template transcripts; tests/bot/gateway/
test_transcripts.py checks the checker itself on the built-in handlers.

A real HTTP server runs the app; the callbacks are encrypted and signed as WeCom
does; cards go through the outbox to the fake WeCom API and come back as buttons.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import config as config_mod
from bot.devtools.fakewecom import RunningFake
from bot.runtime import Runtime
from tests.support.clock import MutableClock
from tests.support.config import config_dict
from tests.support.paths import TRANSCRIPTS
from tests.support.roster import CADRE, seed
from tests.support.transcripts import directive, play_and_check, simulators

FILES = sorted(TRANSCRIPTS.glob("*.txt"))


def test_there_is_a_transcript_per_template() -> None:
    from bot.dialogs.template import available

    assert {f.stem for f in FILES} == set(available())


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_transcript(path: Path, db_url: str, fake: RunningFake, clock: MutableClock) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    template = directive(lines, "template")
    assert template == path.stem
    raw = config_dict(db_url, wecom={"api_base_url": fake.url}, campaign={"template": template})
    runtime = Runtime.from_config(config_mod.from_dict(raw, environ={}), clock=clock)
    try:
        seed(runtime, template)
        with simulators(runtime, fake, [CADRE], seed=5) as sims:
            play_and_check(sims, lines, path.name)
    finally:
        runtime.close()
