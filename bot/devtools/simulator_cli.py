"""The terminal side of ``minqing simulate`` (and of ``minqing demo``'s chat)."""

from __future__ import annotations

import random
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import click
import requests

from bot.config import Config
from bot.devtools.callback_client import CallbackSigner
from bot.devtools.simulator import Simulator, play, render
from bot.wecom.crypto import CallbackCrypto

PROMPT = "你> "
IDLE_POLL_SECONDS = 1.0
QUIT_WORDS = frozenset({"退出", "exit", "quit"})
BANNER = (
    "模拟企业微信：以 {user} 的身份聊天。输入文字回车发送；卡片按钮输入编号；"
    "!image、!voice、!location 纬度 经度 发送图片/语音/位置；!user 账号 换人聊天；"
    "Ctrl-D 或“退出”结束。"
)


def default_urls(config: Config, url: str | None, fake_url: str | None) -> tuple[str, str]:
    webhook = url or f"http://{config.server.host}:{config.server.port}/wecom/callback"
    if fake_url is None:
        base = config.wecom.api_base_url
        local = urlparse(base).hostname in ("127.0.0.1", "localhost")
        fake_url = base if local else ""
    return webhook, fake_url


def make_simulator(config: Config, userid: str, url: str | None, fake_url: str | None) -> Simulator:
    webhook, fake = default_urls(config, url, fake_url)
    w = config.wecom
    signer = CallbackSigner(
        CallbackCrypto(w.token, w.encoding_aes_key, w.corp_id), w.agent_id, random.Random()
    )
    return Simulator(signer=signer, userid=userid, webhook_url=webhook, fake_url=fake)


def run_simulator(
    config: Config, userid: str, url: str | None, fake_url: str | None, script: Path | None
) -> int:
    """Interactive chat on a terminal; otherwise play the script (or stdin). Exit code."""
    try:
        sim = make_simulator(config, userid, url, fake_url)
        if script is not None:
            with script.open(encoding="utf-8") as f:
                play(sim, f, click.echo)
        elif not sys.stdin.isatty():
            play(sim, sys.stdin, click.echo)
        else:
            chat(sim)
    except requests.ConnectionError as exc:
        click.echo(f"连接失败 (cannot reach the bot or the fake WeCom): {exc}", err=True)
        return 1
    except ValueError as exc:  # a bad directive in a script
        click.echo(f"脚本错误 (script error): {exc}", err=True)
        return 1
    return 0


def watch_idle(sim: Simulator, stop: threading.Event, prompt: str) -> None:
    """Print what is pushed to the user while they are not typing (jobs, other workers)."""
    while not stop.wait(IDLE_POLL_SECONDS):
        try:
            lines = sim.poll()
        except requests.RequestException:
            continue
        if lines:
            click.echo("\r" + "\n".join(f"机器人< {line}" for line in lines))
            click.echo(prompt, nl=False)


def chat(sim: Simulator) -> None:
    click.echo(BANNER.format(user=sim.userid))
    stop = threading.Event()
    watcher = threading.Thread(target=watch_idle, args=(sim, stop, PROMPT), daemon=True)
    watcher.start()
    try:
        _chat_loop(sim)
    finally:
        stop.set()


def _chat_loop(sim: Simulator) -> None:
    while True:
        try:
            line = input(PROMPT).strip()
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        if not line:
            continue
        if line in QUIT_WORDS:
            return
        try:
            for answer in sim.send(line):
                click.echo(f"机器人< {answer}")
        except ValueError as exc:
            click.echo(f"（{exc}）")
        except KeyboardInterrupt:
            click.echo()
            return


def show_chat_messages(fake_url: str, chat: str, follow: bool, poll_seconds: float = 1.0) -> int:
    """Print what the fake WeCom delivered to group chat ``chat``; exit code."""
    seen = 0
    while True:
        try:
            resp = requests.get(
                f"{fake_url}/fake/messages", params={"chat": chat, "since": str(seen)}, timeout=5
            )
            resp.raise_for_status()
        except requests.RequestException as exc:
            click.echo(f"连接失败 (cannot reach the fake WeCom at {fake_url}): {exc}", err=True)
            return 1
        records = resp.json()
        if not records and not follow:
            click.echo(f"（{chat} 还没有收到消息 / no messages yet）")
        for record in records:
            seen = max(seen, int(record["seq"]))
            click.echo(f"--- #{record['seq']} {record['api']} → {chat}")
            for line in render(record)[0]:
                click.echo(f"群< {line}")
        if not follow:
            return 0
        try:
            time.sleep(poll_seconds)
        except KeyboardInterrupt:
            return 0
