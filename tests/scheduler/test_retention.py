"""Job purge_inbound: stored callbacks (and their replies) are kept N days, then deleted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot import config as config_mod
from bot.cli import cli
from bot.runtime import Runtime
from scheduler import registry, retention
from storage.models import InboundMessage
from tests.support.clock import FROZEN_NOW
from tests.support.config import config_dict


def add_inbound(runtime: Runtime, key: str, age: timedelta) -> None:
    with runtime.unit_of_work() as s:
        s.add(
            InboundMessage(
                dedupe_key=key,
                userid="zhangsan",
                msg_type="text",
                received_at=FROZEN_NOW - age,
                reply="问题#3 户主电话13812345678",
            )
        )


def kept(runtime: Runtime) -> list[str]:
    with runtime.unit_of_work() as s:
        return sorted(s.scalars(select(InboundMessage.dedupe_key)))


def test_messages_older_than_the_retention_are_purged_once_a_day(runtime: Runtime) -> None:
    assert runtime.config.scheduler.inbound_retention_days == 30  # the default
    add_inbound(runtime, "old", timedelta(days=30, minutes=1))
    add_inbound(runtime, "recent", timedelta(days=29, hours=23))
    add_inbound(runtime, "today", timedelta(0))
    with runtime.unit_of_work() as s:
        result = retention.run(s, runtime.clock(), runtime.config)
    assert result.claimed == ("purge_inbound:2026-11-23",)
    assert "1 inbound message(s) older than 30 days deleted" in result.summary()
    assert kept(runtime) == ["recent", "today"]
    add_inbound(runtime, "old2", timedelta(days=40))
    with runtime.unit_of_work() as s:
        again = retention.run(s, runtime.clock(), runtime.config)
    assert again.skipped == ("purge_inbound:2026-11-23",)  # once per local day
    assert "old2" in kept(runtime)


def test_the_retention_comes_from_config_and_runs_daily(
    db_url: str, config_file, runtime: Runtime
) -> None:
    add_inbound(runtime, "eight-days", timedelta(days=8))
    add_inbound(runtime, "six-days", timedelta(days=6))
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(text + "\n[scheduler]\ninbound_retention_days = 7\n", encoding="utf-8")
    out = CliRunner().invoke(
        cli,
        ["--config", str(config_file), "run-job", "purge_inbound", "--now", FROZEN_NOW.isoformat()],
    )
    assert out.exit_code == 0, out.output
    assert kept(runtime) == ["six-days"]
    config = config_mod.from_dict(
        config_dict(db_url, scheduler={"inbound_retention_days": 7}), environ={}
    )
    spec = registry.build(config, environ={})["purge_inbound"]
    assert dict(spec.schedule) == {"hour": 3, "minute": 30} and spec.coalesce


@pytest.mark.parametrize("bad", [0, -5, 100000, "30", 1.5])
def test_a_bad_retention_is_a_config_error_naming_the_key(db_url: str, bad: object) -> None:
    raw = config_dict(db_url, scheduler={"inbound_retention_days": bad})
    with pytest.raises(config_mod.ConfigError, match="scheduler.inbound_retention_days"):
        config_mod.from_dict(raw, environ={})
