"""The ``chat`` fixture: a :class:`tests.support.dialogs.Chat` on a named template."""

from __future__ import annotations

from typing import Any

import pytest

from bot.dialogs.template import load_named
from tests.support.dialogs import Chat


@pytest.fixture
def chat():
    def make(name: str = "yizou_erwen_sankan", **kw: Any) -> Chat:
        return Chat(load_named(name), **kw)

    return make
