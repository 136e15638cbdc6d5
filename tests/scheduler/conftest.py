"""Fixtures for the scheduler's tests: the town's config and the frozen ``now``.

The town itself (``town``) and its on-disk config (``sconfig_file``) are fixtures
of tests/conftest.py, shared with the CLI tests; see tests/support/town.py.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from bot import config as config_mod
from tests.support.clock import FROZEN_NOW
from tests.support.config import config_dict
from tests.support.town import groups_section


@pytest.fixture
def sconfig(db_url: str) -> config_mod.Config:
    raw = config_dict(db_url, campaign={"name": "民情大走访"})
    raw["groups"] = groups_section()
    return config_mod.from_dict(raw, environ={})


@pytest.fixture
def now() -> datetime:
    return FROZEN_NOW
