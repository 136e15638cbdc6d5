"""``minqing demo``: everything on one machine, then a chat as the demo cadre.

Creates ./var/ with a config (SQLite ./var/minqing.db, the WeCom API and the pages'
web authorization pointed at a local fake, two group chats: 虹桥镇's app chat and
虹桥村's group robot), migrates the database, imports the demo roster, starts the fake
WeCom, the webhook and the /m/ pages (gunicorn, 2 workers), the outbox sender and the
scheduler as child processes on 127.0.0.1, prints a URL that opens the pages as the
demo leader, and opens the simulator as ``demo_cadre``. Leaving the chat stops them
all. Meanwhile an administrator can run any job from another terminal
(``minqing --config var/demo-config.toml run-job review``): the cadre's messages
appear in the chat, group messages with ``minqing fake-wecom --show CHAT``.
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
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import click
import requests

from bot import config as config_mod
from bot.devtools.simulator_cli import run_simulator
from bot.runtime import Runtime
from storage import schema
from storage.roster.demo import DEMO_CADRE as DEMO_USER
from storage.roster.demo import DEMO_LEADER, build_demo_roster

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

[pages]
enabled = true
secret_key = "{pages_secret}"
public_url = "http://127.0.0.1:{port}"
oauth_base_url = "http://127.0.0.1:{fake_port}"

[[groups]]
unit = "虹桥镇"
appchat_id = "{town_chat}"

[[groups]]
unit = "虹桥村"
robot_key = "{village_robot}"
"""
TOWN_CHAT = "demo-town-chat"
VILLAGE_ROBOT = "demo-village-robot"
JOB_HINT = """管理员可在另一个终端触发定时任务 (run a job from another terminal):
  minqing --config {config} run-job reminders | review | digest-daily | digest-weekly | escalation
群消息 (group chats): minqing --config {config} fake-wecom --show {town} [--follow]   (或 {village})
负责人视角 (as the leader): minqing --config {config} simulate --user demo_leader"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(var: Path, port: int, fake_port: int) -> Path:
    aes_key = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    path = var / "demo-config.toml"
    db = (var / "minqing.db").resolve()
    path.write_text(
        CONFIG_TEMPLATE.format(
            db=db,
            aes_key=aes_key,
            pages_secret=secrets.token_urlsafe(32),
            fake_port=fake_port,
            port=port,
            town_chat=TOWN_CHAT,
            village_robot=VILLAGE_ROBOT,
        ),
        encoding="utf-8",
    )
    return path


def pages_url(port: int, fake_port: int, userid: str = DEMO_LEADER) -> str:
    """A local URL that logs ``userid`` in to the pages through the fake's authorization:
    the fake remembers who is "logged into WeCom", then WeCom's OAuth round trip runs."""
    query = urlencode({"userid": userid, "next": f"http://127.0.0.1:{port}/m/"})
    return f"http://127.0.0.1:{fake_port}/fake/login?{query}"


def cli_command(config_path: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "bot.cli", "--config", str(config_path), *args]


def load_roster(config_path: Path, var: Path, today: date) -> None:
    """Build the demo roster for ``today`` (storage.roster.demo) and import it.

    Raises ClickException with the importer's output when the import fails.
    """
    roster = build_demo_roster(var / "demo-roster.xlsx", today)
    done = subprocess.run(
        cli_command(config_path, "import-roster", str(roster)), capture_output=True, text=True
    )
    if done.returncode != 0:
        raise click.ClickException(
            f"演示名册导入失败 (demo roster import):\n{done.stdout}{done.stderr}"
        )


def wait_ready(url: str, seconds: float = 120.0) -> None:
    """Wait for ``url`` to answer 200. The bound is generous: on a loaded two-core
    machine four Python processes importing Flask and SQLAlchemy can take over 30 s."""
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


def prepare(var: Path, port: int, fake_port: int, today: date | None = None) -> Path:
    """Write the config, migrate the database and import the demo roster; the config path.

    ``today`` (default: today in the campaign's zone, on the process clock) places the
    roster's phases.
    """
    var.mkdir(exist_ok=True)
    config_path = write_config(var, port, fake_port)
    runtime = Runtime.from_config(config_mod.load(config_path))
    try:
        schema.upgrade(runtime.engine)
        today = today or runtime.clock().astimezone(runtime.zone).date()
    finally:
        runtime.close()
    load_roster(config_path, var, today)
    return config_path


def demo_commands(config_path: Path, port: int, fake_port: int) -> dict[str, list[str]]:
    """The demo's processes: fake WeCom, webhook, outbox sender, scheduler."""
    return {
        "fake-wecom": cli_command(config_path, "fake-wecom", "--port", str(fake_port)),
        "webhook": cli_command(config_path, "serve", "--port", str(port), "--workers", "2"),
        "outbox-worker": cli_command(config_path, "outbox-worker", "--poll", "0.3"),
        "scheduler": cli_command(config_path, "scheduler"),
    }


def forget(var: Path) -> None:
    """Delete the demo database (and its WAL files) so the demo starts from the roster."""
    for suffix in ("", "-wal", "-shm"):
        (var / f"minqing.db{suffix}").unlink(missing_ok=True)


def run_demo(
    port: int | None,
    script: Path | None,
    var: Path = Path("var"),
    user: str = DEMO_USER,
    fresh: bool = False,
) -> int:
    if fresh:
        forget(var)
    port = port or free_port()
    fake_port = free_port()
    config_path = prepare(var, port, fake_port)
    config = config_mod.load(config_path)
    with children(var, demo_commands(config_path, port, fake_port)):
        wait_ready(f"http://127.0.0.1:{fake_port}/fake/stats")
        wait_ready(f"http://127.0.0.1:{port}/healthz")
        click.echo(f"webhook:    http://127.0.0.1:{port}/wecom/callback", err=True)
        click.echo(f"fake WeCom: http://127.0.0.1:{fake_port}/fake/messages", err=True)
        click.echo(f"页面 (pages, as {DEMO_LEADER}): {pages_url(port, fake_port)}", err=True)
        click.echo(f"config:     {config_path}   logs: {var / 'logs'}/", err=True)
        click.echo(
            JOB_HINT.format(config=config_path, town=TOWN_CHAT, village=VILLAGE_ROBOT), err=True
        )
        return run_simulator(config, user, None, None, script)
