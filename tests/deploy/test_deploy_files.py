"""deploy/: every command the container, compose and systemd files run is a real
``minqing`` subcommand with valid options, and the image installs what the README does.

Containers cannot run here (no daemon), so the files are checked for what can go
wrong without one: a renamed command or option, a missing service, an image built
with other extras than the documented install.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from bot.cli import cli
from tests.support.paths import ROOT

DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))


def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def uses_minqing_image(service: dict) -> bool:  # type: ignore[type-arg]
    build = service.get("build") or {}
    return (
        build.get("dockerfile") == "deploy/Dockerfile" or service.get("image") == "minqing:latest"
    )


def dockerfile_instruction(name: str) -> list[str]:
    """The JSON (exec form) arguments of the Dockerfile's one ``name`` instruction."""
    lines = [
        line for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()
        if line.startswith(f"{name} ")
    ]  # fmt: skip
    assert len(lines) == 1, f"expected one {name} in the Dockerfile, found {lines}"
    return list(json.loads(lines[0][len(name) + 1 :]))


def deploy_commands() -> list[tuple[str, list[str]]]:
    """(where, argv after ``minqing``) for every process any deploy file starts."""
    found: list[tuple[str, list[str]]] = []
    assert dockerfile_instruction("ENTRYPOINT") == ["minqing"]
    found.append(("Dockerfile CMD", dockerfile_instruction("CMD")))
    for name, service in compose()["services"].items():
        if uses_minqing_image(service):
            found.append((f"compose {name}", [str(a) for a in service["command"]]))
    for unit in UNITS:
        for line in unit.read_text(encoding="utf-8").splitlines():
            if line.startswith("ExecStart="):
                program, *args = shlex.split(line[len("ExecStart=") :])
                assert Path(program).name == "minqing", f"{unit.name}: {program}"
                found.append((unit.name, args))
    return found


def test_compose_has_the_production_services() -> None:
    services = compose()["services"]
    assert {"postgres", "web", "outbox", "scheduler", "nginx"} <= set(services)
    web, scheduler = services["web"], services["scheduler"]
    assert web["command"][0] == "serve" and "--workers" in web["command"]
    assert services["outbox"]["command"][0] == "outbox-worker"
    assert scheduler["command"][0] == "scheduler"
    assert scheduler["deploy"]["replicas"] >= 2  # a standby: the lease makes it safe
    # nginx fronts the web with the shipped site file, and the web waits for the schema.
    site = [v.split(":")[0] for v in services["nginx"]["volumes"] if "minqing.conf" in v]
    assert site == ["./nginx/minqing.conf"] and (DEPLOY / "nginx/minqing.conf").is_file()
    assert services["nginx"]["network_mode"] == "service:web"
    assert services["migrate"]["command"] == ["init-db"]
    assert web["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert (DEPLOY / web["build"]["context"] / web["build"]["dockerfile"]).resolve() == DOCKERFILE
    # Secrets are never written into the file itself.
    env = web["environment"]
    assert (
        env["MINQING_WECOM_SECRET"].startswith("${")
        and "${POSTGRES_PASSWORD" in (env["MINQING_DATABASE_URL"])
    )


def test_there_is_a_systemd_unit_for_each_process() -> None:
    started = {args[args.index("--config") + 2] for where, args in deploy_commands() if where.endswith(".service")}  # fmt: skip
    assert started == {"serve", "outbox-worker", "scheduler"}


@pytest.mark.parametrize(
    "where,argv", deploy_commands(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_deploy_command_is_a_real_subcommand(where: str, argv: list[str]) -> None:
    # --help appended: an unknown command or option still fails (exit 2) before help.
    helped = CliRunner().invoke(cli, [*argv, "--help"])
    assert helped.exit_code == 0, f"{where}: minqing {shlex.join(argv)} --help\n{helped.output}"
    # And every option parses with its type (--workers 4 is a number, no option unknown).
    try:
        ctx = cli.make_context("minqing", list(argv))
        rest = [*getattr(ctx, "_protected_args", []), *ctx.args]
        if rest:
            name, command, args = cli.resolve_command(ctx, rest)
            assert command is not None, f"{where}: no command {name}"
            command.make_context(str(name), args, parent=ctx)
    except click.exceptions.Exit as exc:  # a plain ``minqing --help`` (the image's CMD)
        assert exc.exit_code == 0, where
    except click.ClickException as exc:
        pytest.fail(f"{where}: minqing {shlex.join(argv)}: {exc.format_message()}")


def pip_installs(text: str) -> list[tuple[str, frozenset[str]]]:
    """(target, extras) of every ``pip install`` of a local path in ``text``."""
    out = []
    for m in re.finditer(r"pip install (?:-[-\w]+ )*'?([./][^\s'\[]*)(?:\[([^\]]*)\])?'?", text):
        extras = frozenset(e.strip() for e in (m.group(2) or "").split(",") if e.strip())
        out.append((m.group(1), extras))
    return out


def test_the_image_installs_the_package_with_the_readme_extras() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    production = readme[readme.index("## 正式部署 / Production") :]
    production = production[: production.index("\n## ", 1)]
    documented = pip_installs(production)
    built = pip_installs(DOCKERFILE.read_text(encoding="utf-8"))
    assert len(documented) == 1 and len(built) == 1, (documented, built)
    assert built[0][1] == documented[0][1]  # the same extras
    # The image installs this checkout (pyproject.toml and the three packages), not PyPI.
    text = DOCKERFILE.read_text(encoding="utf-8")
    target = built[0][0]
    for part in ("pyproject.toml", "bot", "storage", "scheduler"):
        assert re.search(rf"^COPY .*\b{part}\b.* {re.escape(target)}", text, re.M), part
    assert re.search(r"^USER minqing$", text, re.M), "the image must not run as root"
