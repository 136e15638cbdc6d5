"""The frozen test time, the campaign zone, and a clock tests move by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot import config as config_mod

FROZEN_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ZONE = ZoneInfo(config_mod.DEFAULT_TIMEZONE)  # the default [campaign] timezone


class MutableClock:
    """A clock tests move forward by hand (backoff, token expiry)."""

    def __init__(self, now: datetime = FROZEN_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)
