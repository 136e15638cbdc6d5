"""Fixtures for the gateway tests: the app on the test database and a callback client."""

from __future__ import annotations

import pytest
from flask import Flask

from bot.app import create_app
from bot.runtime import Runtime
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
