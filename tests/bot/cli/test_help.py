"""Every subcommand answers --help with a description, without needing a config."""

from __future__ import annotations

import click
from click.testing import CliRunner

from bot.cli import cli


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        found.append(path)
        if isinstance(command, click.Group):
            found.extend(all_commands(command, path))
    return found


def test_every_subcommand_has_help():
    commands = all_commands(cli)
    assert {("init-db",), ("import-roster",), ("serve",), ("demo",), ("scheduler",)} <= set(
        commands
    )
    for path in commands:
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output
        summary = result.output.split("\n\n")[1].strip()
        assert summary, f"{' '.join(path)} has no help text"
