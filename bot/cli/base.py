"""The root click group and the lazily built runtime it hands to subcommands."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import click

from bot import config as config_mod
from bot.clock import ClockError, frozen, system_clock
from bot.runtime import Runtime


def parse_now(value: str | None, timezone: str, option: str = "--now") -> datetime | None:
    """An ISO date-time from the command line; without an offset it is campaign-local."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"not an ISO date-time: {value!r} (e.g. 2026-11-23T08:30)", param_hint=option
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(timezone))
    return parsed


@dataclass
class CliState:
    config_path: str | None
    now_text: str | None = None
    _runtime: Runtime | None = field(default=None)

    def config(self) -> config_mod.Config:
        try:
            config = config_mod.load(config_mod.resolve_path(self.config_path))
        except config_mod.ConfigError as exc:
            click.echo(f"配置错误 (config error): {exc}", err=True)
            sys.exit(2)
        for line in config.deprecations:
            click.echo(f"配置提示 (deprecated): {line}", err=True)
        return config

    def runtime(self) -> Runtime:
        if self._runtime is None:
            config = self.config()
            try:
                now = parse_now(self.now_text, config.campaign.timezone)
                clock = frozen(now) if now is not None else system_clock()
            except ClockError as exc:
                click.echo(f"时钟设置错误 (clock error): {exc}", err=True)
                sys.exit(2)
            self._runtime = Runtime.from_config(config, clock=clock)
        return self._runtime


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    help="TOML config file (default: $MINQING_CONFIG, else ./config.toml).",
)
@click.option(
    "--now",
    "now_text",
    metavar="ISO",
    help="Run as if it were this time (campaign-local if no offset), e.g. 2026-11-23T17:00.",
)
@click.version_option(package_name="minqing")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, now_text: str | None) -> None:
    """minqing — 民情大走访 WeCom bot."""
    ctx.obj = CliState(config_path, now_text)
    ctx.call_on_close(lambda: ctx.obj._runtime and ctx.obj._runtime.close())


pass_state = click.make_pass_decorator(CliState)
