"""The root click group and the lazily built runtime it hands to subcommands."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import click

from bot import config as config_mod
from bot.runtime import Runtime


@dataclass
class CliState:
    config_path: str | None
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
            self._runtime = Runtime.from_config(self.config())
        return self._runtime


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    help="TOML config file (default: $MINQING_CONFIG, else ./config.toml).",
)
@click.version_option(package_name="minqing")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """minqing — 民情大走访 WeCom bot."""
    if not isinstance(ctx.obj, CliState):  # a test may hand in a state with a frozen clock
        ctx.obj = CliState(config_path)
    ctx.call_on_close(lambda: ctx.obj._runtime and ctx.obj._runtime.close())


pass_state = click.make_pass_decorator(CliState)
