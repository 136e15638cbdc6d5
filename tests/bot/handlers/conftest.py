"""Fixtures for handler tests."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.runtime import Runtime
from tests.support.clock import FROZEN_NOW


@pytest.fixture
def clock_moved(runtime: Runtime):
    """Move the runtime's clock forward: ``clock_moved(days=3)``."""
    state = {"now": FROZEN_NOW}
    runtime.clock = lambda: state["now"]

    def move(**delta: float) -> None:
        state["now"] = state["now"] + timedelta(**delta)

    return move
