"""The one clock: every process reads "now" here, and only here.

Code that needs the time takes a ``clock`` (``Runtime.clock``) or a ``now`` argument;
this module is the only one allowed to read the wall clock (``tests/test_clock_guard.py``
fails on a direct ``datetime.now()`` / ``date.today()`` / ``time.time()`` anywhere
else). Three environment variables move "now" for a whole process tree without
touching the machine:

``MINQING_CLOCK_SHIFT``  ``+400d``, ``-30d``, ``+2h``, ``+1d2h30m``: the wall clock
                         moved by that much (how CI runs the suite on another day).
``MINQING_CLOCK_START``  an ISO instant: the clock starts there when the process
                         first reads it and then runs at the real pace (subprocess
                         tests that need leases and timeouts to expire).
``MINQING_FROZEN_NOW``   an ISO instant: the clock stands still there (the CLI and
                         servers a test starts, frozen like the test itself).

They are for tests, CI and rehearsals; a process that honours one says so in its log
(see :func:`describe`). A naive instant is read in UTC.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from os import environ as _os_environ

Clock = Callable[[], datetime]

ENV_SHIFT = "MINQING_CLOCK_SHIFT"
ENV_START = "MINQING_CLOCK_START"
ENV_FROZEN = "MINQING_FROZEN_NOW"

_SHIFT = re.compile(r"^\s*([+-])\s*((?:\d+\s*[dhms]\s*)+)$")
_PART = re.compile(r"(\d+)\s*([dhms])")
_UNIT = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


class ClockError(ValueError):
    """A clock variable that cannot be read; the message names it."""


def wall_now() -> datetime:
    """The machine's wall clock, aware UTC. Only :func:`system_clock` should call this."""
    return datetime.now(UTC)


def parse_shift(text: str) -> timedelta:
    """``"+400d"`` / ``"-30d"`` / ``"+2h"`` / ``"+1d2h30m"`` -> timedelta; ClockError otherwise."""
    m = _SHIFT.match(text)
    if m is None:
        raise ClockError(
            f"{ENV_SHIFT}={text!r}: write a signed amount like +400d, -30d, +2h or +1d2h30m"
        )
    delta = timedelta(**{_UNIT[u]: 0 for u in _UNIT})
    for amount, unit in _PART.findall(m[2]):
        delta += timedelta(**{_UNIT[unit]: int(amount)})
    return -delta if m[1] == "-" else delta


def parse_instant(text: str, name: str) -> datetime:
    """An ISO 8601 instant (naive = UTC) -> aware UTC datetime; ClockError otherwise."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ClockError(
            f"{name}={text!r}: write an ISO time like 2026-11-23T09:00:00+00:00"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def frozen(at: datetime) -> Clock:
    """A clock that always says ``at`` (aware)."""
    if at.tzinfo is None:
        raise ValueError("a frozen clock needs an aware datetime")
    return lambda: at


def shifted(shift: timedelta, base: Clock = wall_now) -> Clock:
    """The ``base`` clock moved by ``shift``."""
    return lambda: base() + shift


def started_at(start: datetime, monotonic: Callable[[], float] = time.monotonic) -> Clock:
    """A clock that reads ``start`` on its first call and then runs at the real pace."""
    origin: list[float] = []

    def read() -> datetime:
        if not origin:
            origin.append(monotonic())
        return start + timedelta(seconds=monotonic() - origin[0])

    return read


def system_clock(environ: Mapping[str, str] | None = None) -> Clock:
    """The process's clock: the wall clock, unless one of the variables above is set.

    Precedence: frozen, then start, then shift (a shift never moves a frozen or
    started clock: tests that pin their time stay pinned when CI shifts the day).
    """
    env = _os_environ if environ is None else environ
    if env.get(ENV_FROZEN):
        return frozen(parse_instant(env[ENV_FROZEN], ENV_FROZEN))
    if env.get(ENV_START):
        return started_at(parse_instant(env[ENV_START], ENV_START))
    if env.get(ENV_SHIFT):
        return shifted(parse_shift(env[ENV_SHIFT]))
    return wall_now


def describe(environ: Mapping[str, str] | None = None) -> str:
    """One log line saying how this process's clock is moved, or "" for the wall clock."""
    env = _os_environ if environ is None else environ
    for name in (ENV_FROZEN, ENV_START, ENV_SHIFT):
        if env.get(name):
            return f"clock: {name}={env[name]} (not the wall clock)"
    return ""


def frozen_environ(at: datetime) -> dict[str, str]:
    """The variables that freeze a child process's clock at ``at`` (for tests)."""
    return {ENV_FROZEN: at.isoformat()}


def unix_seconds(clock: Clock) -> int:
    """Whole seconds since the epoch on ``clock`` (WeCom callback timestamps)."""
    return int(clock().timestamp())
