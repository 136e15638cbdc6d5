"""``minqing demo``: everything on one machine, then a chat as the demo cadre.

Creates ./var/ with a config (SQLite ./var/minqing.db, the WeCom API pointed at a
local fake), migrates the database, imports the demo roster, starts the fake
WeCom, the webhook (gunicorn, 2 workers), the outbox sender and, when the
``scheduler`` command exists, the scheduler, as child processes on 127.0.0.1,
and opens the simulator as ``demo_cadre``. Leaving the chat stops them all.
"""

from __future__ import annotations

import base64
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
import requests
from sqlalchemy import select

from bot import config as config_mod
from bot.runtime import Runtime
from bot.simulator_cli import run_simulator
from storage import schema
from storage.models import Cadre, Unit

DEMO_USER = "demo_cadre"
CONFIG_TEMPLATE = """# Written by `minqing demo`; rewritten on every run.
[database]
url = "sqlite:///{db}"

[wecom]
corp_id = "wwdemo0000000001"
token = "minqing-demo-token"
encoding_aes_key = "{aes_key}"
agent_id = 1000002
secret = "demo-secret"
api_base_url = "http://127.0.0.1:{fake_port}"
timeout_seconds = 3.0

[server]
host = "127.0.0.1"
port = {port}
workers = 2

[outbox]
base_backoff_seconds = 2.0
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(var: Path, port: int, fake_port: int) -> Path:
    aes_key = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    path = var / "demo-config.toml"
    db = (var / "minqing.db").resolve()
    path.write_text(
        CONFIG_TEMPLATE.format(db=db, aes_key=aes_key, fake_port=fake_port, port=port),
        encoding="utf-8",
    )
    return path


def cli_command(config_path: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "bot.cli", "--config", str(config_path), *args]


def load_roster(runtime: Runtime, config_path: Path, var: Path) -> None:
    """Import the demo roster (roster area); make sure demo_cadre exists either way."""
    try:
        from storage.roster.demo import build_demo_roster  # type: ignore[import-not-found]
    except ImportError:
        click.echo(
            "注意：演示名册模块尚未合入 (storage.roster.demo missing); 仅创建演示干部。", err=True
        )
    else:
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
        roster = var / "demo-roster.xlsx"
        try:
            build_demo_roster(roster, today)
        except Exception as exc:  # the roster area's code: report, fall back, keep going
            click.echo(f"演示名册生成失败 (demo roster): {type(exc).__name__}: {exc}", err=True)
            done = None
        else:
            done = subprocess.run(
                cli_command(config_path, "import-roster", str(roster)),
                capture_output=True,
                text=True,
            )
        if done is not None and done.returncode != 0:
            click.echo(f"演示名册导入未完成 (roster import):\n{done.stdout}{done.stderr}", err=True)
    with runtime.unit_of_work() as s:
        if s.scalar(select(Cadre).where(Cadre.userid == DEMO_USER)) is None:
            unit = s.scalar(select(Unit).where(Unit.name == "演示村"))
            if unit is None:
                unit = Unit(name="演示村", kind="村")
                s.add(unit)
                s.flush()
            s.add(Cadre(userid=DEMO_USER, name="演示干部", unit_id=unit.id, role="visitor"))


def wait_ready(url: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise click.ClickException(
                f"服务未能启动 (not up after {seconds:.0f}s): {url}; see var/logs/"
            )
        time.sleep(0.2)


@contextmanager
def children(var: Path, commands: dict[str, list[str]]) -> Iterator[None]:
    """Start the named processes (logs in var/logs/), stop them all on the way out."""
    logs = var / "logs"
    logs.mkdir(exist_ok=True)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for name, cmd in commands.items():
            log = (logs / f"{name}.log").open("ab")
            procs.append(subprocess.Popen(cmd, stdout=log, stderr=log, stdin=subprocess.DEVNULL))
            log.close()
        yield
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


def run_demo(
    port: int | None, script: Path | None, var: Path = Path("var"), user: str = DEMO_USER
) -> int:
    from bot.cli.base import cli

    var.mkdir(exist_ok=True)
    port = port or free_port()
    fake_port = free_port()
    config_path = write_config(var, port, fake_port)
    config = config_mod.load(config_path)
    runtime = Runtime.from_config(config)
    try:
        schema.upgrade(runtime.engine)
        load_roster(runtime, config_path, var)
    finally:
        runtime.close()
    commands = {
        "fake-wecom": cli_command(config_path, "fake-wecom", "--port", str(fake_port)),
        "webhook": cli_command(config_path, "serve", "--port", str(port), "--workers", "2"),
        "outbox-worker": cli_command(config_path, "outbox-worker", "--poll", "0.3"),
    }
    if "scheduler" in cli.commands:
        commands["scheduler"] = cli_command(config_path, "scheduler")
    with children(var, commands):
        wait_ready(f"http://127.0.0.1:{fake_port}/fake/stats")
        wait_ready(f"http://127.0.0.1:{port}/healthz")
        click.echo(f"webhook:    http://127.0.0.1:{port}/wecom/callback", err=True)
        click.echo(f"fake WeCom: http://127.0.0.1:{fake_port}/fake/messages", err=True)
        click.echo(f"config:     {config_path}   logs: {var / 'logs'}/", err=True)
        return run_simulator(config, user, None, None, script)
