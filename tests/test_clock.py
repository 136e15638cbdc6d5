"""The one clock and the variables that move it (shift, start, frozen)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from bot import clock
from bot.cli import cli
from tests.support.clock import FROZEN_NOW


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("+400d", timedelta(days=400)),
        ("-30d", timedelta(days=-30)),
        ("+2h", timedelta(hours=2)),
        ("+1d2h30m", timedelta(days=1, hours=2, minutes=30)),
        ("- 90s", timedelta(seconds=-90)),
    ],
)
def test_a_shift_reads_like_people_write_it(text, delta):
    assert clock.parse_shift(text) == delta


@pytest.mark.parametrize("text", ["400d", "+400", "+4y", "", "+d", "tomorrow"])
def test_a_bad_shift_names_the_variable(text):
    with pytest.raises(clock.ClockError, match="MINQING_CLOCK_SHIFT"):
        clock.parse_shift(text)


def test_the_process_clock_honours_each_variable():
    at = FROZEN_NOW.isoformat()
    assert clock.system_clock({clock.ENV_FROZEN: at})() == FROZEN_NOW
    ticks = iter([100.0, 100.0, 102.5])
    started = clock.started_at(FROZEN_NOW, monotonic=lambda: next(ticks))
    assert started() == FROZEN_NOW
    assert started() == FROZEN_NOW + timedelta(seconds=2.5)
    base = clock.frozen(FROZEN_NOW)
    assert clock.shifted(timedelta(days=400), base)() == FROZEN_NOW + timedelta(days=400)
    # A frozen clock stays frozen when CI shifts the day for the whole suite.
    both = {clock.ENV_FROZEN: at, clock.ENV_SHIFT: "+400d"}
    assert clock.system_clock(both)() == FROZEN_NOW
    assert clock.system_clock({}) is clock.wall_now
    assert "MINQING_CLOCK_SHIFT=+2h" in clock.describe({clock.ENV_SHIFT: "+2h"})
    assert clock.describe({}) == ""


def test_a_naive_instant_is_utc():
    assert clock.parse_instant("2026-11-23T09:00", "X") == datetime(2026, 11, 23, 9, tzinfo=UTC)
    with pytest.raises(clock.ClockError, match="MINQING_FROZEN_NOW"):
        clock.system_clock({clock.ENV_FROZEN: "next tuesday"})


def test_the_cli_refuses_a_bad_clock_variable_with_one_line(config_file):
    result = CliRunner(env={clock.ENV_SHIFT: "+4y"}).invoke(
        cli, ["--config", str(config_file), "problems"]
    )
    assert result.exit_code == 2
    assert "MINQING_CLOCK_SHIFT" in result.output and "Traceback" not in result.output


def test_the_cli_refuses_a_bad_now(config_file):
    result = CliRunner().invoke(cli, ["--config", str(config_file), "--now", "soon", "problems"])
    assert result.exit_code == 2 and "--now" in result.output
