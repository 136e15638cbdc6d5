"""Fixtures for everything under tests/bot/: the app, a callback client, a fake WeCom.

- ``app`` / ``wc``: the real app on the test database (frozen clock) and a
  :class:`~tests.support.wecom.WecomTestClient` posting real encrypted callbacks;
- ``cadre``: the active cadre ``zhangsan`` (张三);
- ``fake``: a fake WeCom API on a free port; ``clock``: a clock tests move;
- ``api_runtime``: a runtime whose WeCom API is ``fake`` and whose clock is ``clock``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from bot import config as config_mod
from bot.app import create_app
from bot.devtools.fakewecom import RunningFake, start_in_thread
from bot.runtime import Runtime
from tests.support.clock import MutableClock
from tests.support.config import API_TIMEOUT, config_dict
from tests.support.wecom import WecomTestClient, add_cadre


@pytest.fixture
def app(runtime: Runtime) -> Flask:
    return create_app(runtime=runtime)


@pytest.fixture
def wc(app: Flask) -> WecomTestClient:
    return WecomTestClient.for_app(app)


@pytest.fixture
def cadre(runtime: Runtime) -> str:
    """An active cadre 'zhangsan' (张三) on the roster; returns the userid."""
    with runtime.unit_of_work() as s:
        add_cadre(s, "zhangsan", name="张三")
    return "zhangsan"


@pytest.fixture
def fake() -> Iterator[RunningFake]:
    """A fake WeCom API on a free port (its gettoken wants the test secret)."""
    running = start_in_thread(secret="test-secret")
    yield running
    running.stop()


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock()


@pytest.fixture
def api_runtime(db_url: str, fake: RunningFake, clock: MutableClock) -> Iterator[Runtime]:
    """A runtime whose WeCom API is the fake, with a clock the test can move."""
    raw = config_dict(
        db_url,
        wecom={"api_base_url": fake.url, "timeout_seconds": API_TIMEOUT},
        outbox={"max_attempts": 3, "base_backoff_seconds": 10.0, "batch_size": 2},
    )
    rt = Runtime.from_config(config_mod.from_dict(raw, environ={}), clock=clock)
    yield rt
    rt.close()
