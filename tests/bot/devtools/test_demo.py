"""``minqing demo``'s processes for real: an administrator runs jobs, people get messages.

Starts what the demo starts (fake WeCom, webhook, outbox sender, scheduler) as
subprocesses on free ports with the demo roster, runs ``minqing run-job`` like an
administrator in another terminal, and reads what reached the demo cadre, the demo
leader and the group chats through the fake WeCom API (and the simulator).
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import select

from bot import clock
from bot import config as config_mod
from bot.devtools import demo
from bot.devtools.simulator import render
from bot.devtools.simulator_cli import make_simulator
from bot.runtime import Runtime
from storage.models import ReviewDraw, Unit
from storage.roster.demo import DEMO_CADRE, DEMO_LEADER
from storage.vocab import SENSITIVE_CATEGORIES
from tests.support.clock import FROZEN_NOW

# Every demo process (and the simulator here) runs on a clock that starts at FROZEN_NOW
# and then moves at the real pace, so the test is the same on any date. The demo's day
# (Shanghai): a noon earlier than that, so the outbox sends at once.
DAY = (FROZEN_NOW.astimezone(ZoneInfo("Asia/Shanghai")) - timedelta(hours=12)).date()
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)|0\d{2,3}-\d{7,8}")


@pytest.fixture(scope="module")
def running_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    var = tmp_path_factory.mktemp("demo") / "var"
    port, fake_port = demo.free_port(), demo.free_port()
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(clock.ENV_SHIFT, raising=False)
        mp.setenv(clock.ENV_START, FROZEN_NOW.isoformat())  # inherited by every child
        config_path = demo.prepare(var, port, fake_port, DAY)
        commands = demo.demo_commands(config_path, port, fake_port)
        assert {"outbox-worker", "scheduler", "fake-wecom", "webhook"} <= set(commands)
        with demo.children(var, commands):
            fake = f"http://127.0.0.1:{fake_port}"
            demo.wait_ready(f"{fake}/fake/stats")
            demo.wait_ready(f"http://127.0.0.1:{port}/healthz")
            yield config_path, fake


def run_job(config_path: Path, name: str) -> str:
    """``minqing run-job NAME`` at noon of the roster's day (safe near midnight)."""
    done = subprocess.run(
        demo.cli_command(config_path, "run-job", name, "--now", f"{DAY.isoformat()}T12:00"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def messages(fake: str, **params: str) -> list[dict[str, Any]]:
    resp = requests.get(f"{fake}/fake/messages", params=params, timeout=5)
    resp.raise_for_status()
    return list(resp.json())


def text_of(record: dict[str, Any]) -> str:
    return "\n".join(render(record)[0])


def wait_for_texts(fake: str, wanted: list[str], seconds: float = 60, **params: str) -> str:
    """All text delivered for ``params`` once every ``wanted`` piece is in it."""
    deadline = time.monotonic() + seconds
    while True:
        got = "\n".join(text_of(r) for r in messages(fake, **params))
        if all(w in got for w in wanted) or time.monotonic() > deadline:
            return got
        time.sleep(0.3)


def test_run_job_messages_reach_cadre_leader_and_groups(running_demo) -> None:  # type: ignore[no-untyped-def]
    config_path, fake = running_demo
    config = config_mod.load(config_path)
    cadre_chat = make_simulator(config, DEMO_CADRE, None, fake)  # opened before the jobs

    assert "1 run(s)" in run_job(config_path, "reminders")
    assert "run(s)" in run_job(config_path, "review")
    assert "1 run(s)" in run_job(config_path, "digest-daily")

    cadre = wait_for_texts(fake, ["走访排查", "还有 3 天"], touser=DEMO_CADRE)
    assert "「走访排查」阶段" in cadre and "还有 3 天" in cadre
    leader = wait_for_texts(fake, ["每日简报"], touser=DEMO_LEADER)
    assert "虹桥镇" in leader and "每日简报" in leader
    town = wait_for_texts(fake, ["截止", "讲评抽签", "每日简报"], chat=demo.TOWN_CHAT)
    village = wait_for_texts(fake, ["截止", "讲评抽签", "每日简报"], chat=demo.VILLAGE_ROBOT)
    for group in (town, village):
        assert "截止" in group and "讲评抽签" in group and "每日简报" in group

    runtime = Runtime.from_config(config)
    try:
        with runtime.unit_of_work() as s:
            draws = s.execute(select(Unit.name, ReviewDraw.drawn).join(Unit)).all()
    finally:
        runtime.close()
    assert {unit for unit, _ in draws} == {"虹桥镇", "虹桥村"}
    for userid in {u for _, drawn in draws for u in drawn}:
        assert "讲评" in wait_for_texts(fake, ["讲评"], touser=userid), userid

    shown = "\n".join(cadre_chat.poll())  # what the simulator prints while the cadre idles
    assert "「走访排查」阶段" in shown

    group_records = messages(fake, chat=demo.TOWN_CHAT) + messages(fake, chat=demo.VILLAGE_ROBOT)
    assert len(group_records) >= 6
    for record in group_records:
        text = text_of(record)
        assert not any(word in text for word in SENSITIVE_CATEGORIES), text
        assert "信访" not in text and "信教" not in text and not PHONE.search(text), text


def test_fake_wecom_show_prints_a_group_chat(running_demo) -> None:  # type: ignore[no-untyped-def]
    config_path, fake = running_demo
    run_job(config_path, "reminders")  # idempotent: the day's reminder already ran or runs now
    wait_for_texts(fake, ["截止"], chat=demo.TOWN_CHAT)
    done = subprocess.run(
        demo.cli_command(config_path, "fake-wecom", "--show", demo.TOWN_CHAT),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert f"appchat/send → {demo.TOWN_CHAT}" in done.stdout and "群< " in done.stdout
    assert "截止" in done.stdout


def test_the_printed_pages_url_logs_the_demo_leader_in(running_demo) -> None:  # type: ignore[no-untyped-def]
    config_path, fake = running_demo
    config = config_mod.load(config_path)
    port, fake_port = config.server.port, int(fake.rsplit(":", 1)[1])
    browser = requests.Session()
    answer = browser.get(demo.pages_url(port, fake_port), timeout=30)
    assert answer.status_code == 200
    assert answer.url.startswith(f"http://127.0.0.1:{port}/m/")
    assert "走访覆盖" in answer.text and "虹桥镇" in answer.text  # the leader's unit
    problems = browser.get(f"http://127.0.0.1:{port}/m/problems", timeout=30)
    assert problems.status_code == 200 and "问题台账" in problems.text
