"""Gateway and local-tool subcommands: serve, outbox-worker, outbox, fake-wecom,
simulate, demo."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from datetime import datetime, tzinfo
from pathlib import Path

import click

from bot import config as config_mod
from bot.cli.base import CliState, cli, pass_state
from bot.gateway.server import setup_logging
from bot.wecom import redact
from storage import outbox


def _config_path(state: CliState) -> str:
    path = config_mod.resolve_path(state.config_path)
    state.config()  # validate now, with a clear message, before forking anything
    return str(path.resolve())


def worker_command(config_path: str, poll: float = 2.0) -> list[str]:
    """The command line of an outbox worker process for this config."""
    return [
        sys.executable,
        "-m",
        "bot.cli",
        "--config",
        config_path,
        "outbox-worker",
        "--poll",
        str(poll),
    ]


@cli.command("serve")
@click.option("--host", default=None, help="Address to bind (default: [server] host).")
@click.option("--port", type=int, default=None, help="Port (default: [server] port).")
@click.option("--workers", type=int, default=None, help="gunicorn worker processes.")
@click.option(
    "--threads",
    type=int,
    default=None,
    help="Threads per worker (default: [server] threads).",
)
@click.option("--with-worker", is_flag=True, help="Also run the outbox sender as a child process.")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default=None,
    help="Log lines as text or JSON (default: [server] log_format).",
)
@pass_state
def serve_cmd(
    state: CliState,
    host: str | None,
    port: int | None,
    workers: int | None,
    threads: int | None,
    with_worker: bool,
    log_format: str | None,
) -> None:
    """Serve the WeCom callback (gunicorn) on /wecom/callback, /healthz, /readyz, /metrics."""
    from bot.gateway.server import serve

    path = _config_path(state)
    cfg = state.config()
    srv = cfg.server
    log_format = log_format or srv.log_format
    setup_logging(log_format=log_format)
    child = (
        subprocess.Popen([*worker_command(path), "--log-format", log_format])
        if with_worker
        else None
    )
    try:
        serve(
            path,
            host or srv.host,
            port or srv.port,
            workers or srv.workers,
            threads or srv.threads,
            request_timeout=srv.request_timeout_seconds,
            metrics_dir=srv.metrics_dir,
            log_format=log_format,
        )
    finally:
        if child is not None:
            child.terminate()
            child.wait(timeout=10)


@cli.command("outbox-worker")
@click.option("--poll", type=float, default=2.0, show_default=True, help="Seconds between passes.")
@click.option("--once", is_flag=True, help="One pass, print the counts, exit.")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default=None,
    help="Log lines as text or JSON (default: [server] log_format).",
)
@pass_state
def outbox_worker_cmd(state: CliState, poll: float, once: bool, log_format: str | None) -> None:
    """Send queued messages to WeCom, retrying with backoff (several may run at once)."""
    from bot.outbox import worker as outbox_worker

    setup_logging(log_format=log_format or state.config().server.log_format)
    rt = state.runtime()
    if once:
        counts = outbox_worker.drain_once(rt)
        click.echo(f"已发送 {counts.sent}，待重试 {counts.retrying}，失败 {counts.failed}")
        return
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    outbox_worker.run(rt, stop, poll)


def _local(dt: datetime | None, zone: tzinfo) -> str:
    return dt.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if dt else "-"


@cli.command("outbox")
@click.option(
    "--status",
    type=click.Choice(["pending", "sent", "failed"]),
    default=None,
    help="Only rows with this status (default: pending and failed).",
)
@click.option(
    "--retry",
    "retry_ids",
    type=int,
    multiple=True,
    metavar="ID",
    help="Put a failed row back in the queue (repeatable).",
)
@click.option("--limit", type=int, default=50, show_default=True)
@pass_state
def outbox_cmd(state: CliState, status: str | None, retry_ids: tuple[int, ...], limit: int) -> None:
    """List outbound messages for admins, or re-queue failed ones with --retry."""
    rt = state.runtime()
    now = rt.clock()
    with rt.unit_of_work() as s:
        if retry_ids:
            for row_id in retry_ids:
                if not outbox.requeue(s, row_id, now):
                    raise click.ClickException(
                        f"没有编号为 {row_id} 的消息 (no outbox row {row_id})"
                    )
                click.echo(f"#{row_id} 已重新排队 (re-queued)")
            return
        rows = outbox.recent(s, [status] if status else ["pending", "failed"], limit)
        if not rows:
            click.echo("（没有消息 / no messages）")
        for r in rows:
            to = (
                redact.robot_key(r.recipient)
                if r.channel == "robot"
                else r.recipient
                if len(r.recipient) <= 40
                else f"{r.recipient[:37]}…({r.recipient.count('|') + 1}人)"
            )
            when = (
                _local(r.sent_at, rt.zone)
                if r.status == "sent"
                else _local(r.next_attempt_at, rt.zone)
            )
            click.echo(
                f"#{r.id}\t{r.status}\t{r.channel}\t{to}\t尝试{r.attempts}次\t{when}\t{redact.redact(r.last_error)[:120]}"
            )


@cli.command("fake-wecom")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8090, show_default=True)
@click.option("--secret", default=None, help="Refuse gettoken with any other corpsecret.")
@click.option(
    "--show",
    "show_chat",
    metavar="CHAT",
    default=None,
    help="Do not serve: print what a running fake delivered to group chat CHAT "
    "(an appchat id or a robot key), then exit.",
)
@click.option("--follow", is_flag=True, help="With --show: keep printing new messages.")
@click.option(
    "--url", default=None, help="With --show: the fake's URL (default: [wecom] api_base_url)."
)
@click.option(
    "--failure-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Share of API calls answered errcode -1 or HTTP 500 (nothing done).",
)
@click.option(
    "--timeout-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Share of API calls that do their work, then answer --timeout-seconds late.",
)
@click.option("--timeout-seconds", type=click.FloatRange(0, 60), default=6.0, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random faults.")
@pass_state
def fake_wecom_cmd(
    state: CliState,
    host: str,
    port: int,
    secret: str | None,
    show_chat: str | None,
    follow: bool,
    url: str | None,
    failure_rate: float,
    timeout_rate: float,
    timeout_seconds: float,
    seed: int,
) -> None:
    """Run a local fake of the WeCom API (for the demo, the simulator and tests)."""
    if show_chat is not None:
        from bot.devtools.simulator_cli import show_chat_messages

        base = url or state.config().wecom.api_base_url
        sys.exit(show_chat_messages(base, show_chat, follow))
    import random

    from werkzeug.serving import run_simple

    from bot.devtools.fakewecom import Faults, create_fake_app

    if failure_rate + timeout_rate > 1:
        raise click.BadParameter("--failure-rate + --timeout-rate must not exceed 1")
    faults = Faults(failure_rate, timeout_rate, timeout_seconds, random.Random(seed))
    setup_logging()
    app = create_fake_app(secret=secret, faults=faults)
    run_simple(host, port, app, threaded=True, use_reloader=False)


@cli.command("simulate")
@click.option("--user", "userid", required=True, help="The WeCom userid to chat as.")
@click.option("--url", default=None, help="Webhook URL (default: [server] host:port).")
@click.option(
    "--fake-url", default=None, help="Fake WeCom URL (default: [wecom] api_base_url if local)."
)
@click.option(
    "--script",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Play this script and print the transcript.",
)
@pass_state
def simulate_cmd(
    state: CliState, userid: str, url: str | None, fake_url: str | None, script: Path | None
) -> None:
    """Chat with the running bot as USER, through real encrypted callbacks."""
    from bot.devtools.simulator_cli import run_simulator

    code = run_simulator(state.config(), userid, url, fake_url, script)
    sys.exit(code)


@cli.command("demo")
@click.option("--port", type=int, default=None, help="Webhook port (default: a free one).")
@click.option(
    "--script",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Play this script instead of an interactive chat (CI).",
)
@click.option(
    "--user",
    "userid",
    default="demo_cadre",
    show_default=True,
    help="Chat as this userid, e.g. demo_admin (the demo's administrator: 模板 switches "
    "the questionnaire). In a chat or script, `!user USERID` switches too.",
)
@click.option(
    "--fresh",
    is_flag=True,
    help="Forget earlier demo visits: delete var/minqing.db and start from the demo roster.",
)
def demo_cmd(port: int | None, script: Path | None, userid: str, fresh: bool) -> None:
    """Start everything locally (./var, fake WeCom, webhook, sender) and chat as demo_cadre."""
    from bot.devtools.demo import run_demo

    sys.exit(run_demo(port, script, user=userid, fresh=fresh))
