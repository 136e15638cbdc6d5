"""Fixtures for the gateway tests: the app on the test database and a callback client."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from bot import config as config_mod
from bot.app import create_app
from bot.fakewecom import RunningFake, start_in_thread
from bot.runtime import Runtime
from tests.conftest import FROZEN_NOW, config_dict
from tests.wecom_helpers import WecomTestClient, add_cadre


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


class MutableClock:
    """A clock tests move forward by hand (backoff, token expiry)."""

    def __init__(self, now: datetime = FROZEN_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


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
        wecom={"api_base_url": fake.url, "timeout_seconds": 0.3},
        outbox={"max_attempts": 3, "base_backoff_seconds": 10.0, "batch_size": 2},
    )
    rt = Runtime.from_config(config_mod.from_dict(raw, environ={}), clock=clock)
    yield rt
    rt.close()


@dataclass
class LiveServer:
    url: str
    server: BaseWSGIServer

    def stop(self) -> None:
        self.server.shutdown()


@contextmanager
def serve_in_thread(app: Flask) -> Iterator[LiveServer]:
    """A real HTTP server for ``app`` on a free 127.0.0.1 port, for the test's duration."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", server)
    finally:
        server.shutdown()
        thread.join(timeout=5)
