"""Conversation transcripts: the one format, its parser, and the checker that plays it.

A transcript is a ``minqing simulate --script`` file (``tests/transcripts/*.txt``,
``tests/transcripts/ledger/*.txt``, ``examples/demo_walkthrough.txt``). Every line
that is not blank and does not start with ``#`` is what a user sends (a number after
a card presses its button; ``!image``, ``!location``, ``!event``, ``!voice`` and
``!user USERID`` are the simulator's commands). ``#`` lines are comments the
simulator ignores; these carry the checks:

- ``# template: NAME``  the campaign's questionnaire template (read by the test);
- ``# user: USERID``    who sends the following lines (default: the first simulator);
- ``# expect: TEXT``    the answer to the last line sent contains TEXT (passive reply
  and pushed messages, so a notice received since the user's previous line counts);
- ``# reply: TEXT``     the answer's next line is exactly TEXT; when a sent line is
  followed by ``# reply:`` lines, they must be its whole answer, in order;
- ``# visit: N``        count the messages from here; the next expected ``已保存...``
  must come within N (the field-speed budget). Photos, locations and ``!user`` are
  not counted.

Any other ``# word:`` line is an error, so a misspelt check never passes silently.
:func:`simulators` serves the real app on a free port and gives one
:class:`~bot.devtools.simulator.Simulator` per user (real encrypted callbacks; the
outbox is drained into the fake WeCom after each line); :func:`play_and_check` plays
a transcript through them::

    with simulators(runtime, fake, ["zhangsan"]) as sims:
        play_and_check(sims, path.read_text(encoding="utf-8").splitlines(), path.name)
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from bot.app import create_app
from bot.devtools.callback_client import CallbackSigner
from bot.devtools.fakewecom import RunningFake
from bot.devtools.simulator import Simulator
from bot.outbox.worker import drain_once
from bot.runtime import Runtime
from bot.wecom.crypto import CallbackCrypto
from tests.support.wecom import serve_in_thread

DIRECTIVES = ("template", "user", "expect", "reply", "visit")
_DIRECTIVE = re.compile(r"^#\s*([A-Za-z_-]+):(.*)$")
# Optional evidence and switching who chats are not part of the field-speed count.
UNCOUNTED = ("!image", "!location", "!user")


@dataclass(frozen=True)
class Step:
    """One meaningful line: ``kind`` is ``send`` or a directive name."""

    number: int
    kind: str
    text: str


def parse(lines: Iterable[str], name: str = "transcript") -> list[Step]:
    """The sends and checks of a transcript, with their 1-based line numbers."""
    steps: list[Step] = []
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            steps.append(Step(number, "send", line))
            continue
        if match := _DIRECTIVE.match(line):
            kind, value = match[1], match[2].strip()
            if kind not in DIRECTIVES:
                raise ValueError(f"{name}:{number}: unknown check {kind!r} (one of {DIRECTIVES})")
            steps.append(Step(number, kind, value))
    return steps


def directive(lines: Iterable[str], kind: str) -> str | None:
    """The value of the first ``# kind: value`` line, else None (e.g. the template)."""
    return next((s.text for s in parse(lines) if s.kind == kind), None)


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


def play_and_check(
    sims: Mapping[str, Simulator],
    lines: Sequence[str],
    name: str,
    *,
    require_save: bool = True,
) -> int:
    """Play a transcript, checking every ``#`` check; returns how many visits it saw saved.

    ``sims`` maps userids to simulators. Fails on the first check that does not hold,
    on any HTTP error, and (unless ``require_save`` is false) when no visit was saved.
    """
    sim = next(iter(sims.values()))
    said: list[str] = []
    exact: int | None = None  # lines of ``said`` matched by ``# reply:`` so far
    budget: int | None = None
    count = 0
    saves = 0
    where = name

    def close_replies() -> None:
        if exact is not None:
            rest = "\n".join(said[exact:])
            assert exact == len(said), f"{where}: the answer goes on beyond the replies:\n{rest}"

    for step in parse(lines, name):
        where = f"{name}:{step.number}"
        shown = "\n".join(said)
        if step.kind == "template":
            continue
        if step.kind == "user":
            close_replies()
            sim, said, exact = sims[step.text], [], None
        elif step.kind == "visit":
            budget, count = int(step.text.split()[0]), 0
        elif step.kind == "expect":
            assert step.text in shown, f"{where}: expected {step.text!r} in:\n{shown}"
            if step.text.startswith("已保存"):
                saves += 1
                if budget is not None:
                    assert count <= budget, f"{where}: {count} messages > {budget}"
                    budget = None
        elif step.kind == "reply":
            exact = exact or 0
            got = said[exact] if exact < len(said) else "(nothing more)"
            assert got.strip() == step.text, f"{where}: expected {step.text!r}, got {got!r}"
            exact += 1
        else:
            close_replies()
            said, exact = sim.send(step.text), None
            count += 0 if step.text.startswith(UNCOUNTED) else 1
            assert not any(s.startswith("[HTTP") for s in said), f"{where}: {said}"
    close_replies()
    assert saves >= 1 or not require_save, f"{name}: no visit was saved"
    return saves
