"""One user's callbacks fired concurrently at a real multi-worker gunicorn server.

Every message must be applied exactly once (replays included) with no lost update
to the user's dialog data, and each sender's messages in the order it sent them.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from bot.devtools.callback_client import CallbackSigner
from bot.runtime import Runtime
from bot.wecom.crypto import CallbackCrypto
from storage.models import DialogSession, InboundMessage
from tests.support.config import TEST_AES_KEY, TEST_CORP_ID, TEST_TOKEN
from tests.support.paths import ROOT
from tests.support.wecom import add_cadre

THREADS, MESSAGES = 4, 6


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(config_file: Path, port: int) -> subprocess.Popen[bytes]:
    code = (
        "from bot.gateway.server import serve; from tests.support.handlers import counting_app; "
        f"serve({str(config_file)!r}, '127.0.0.1', {port}, 3, factory=counting_app)"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_healthy(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not come up")


@pytest.mark.slow
def test_concurrent_callbacks_for_one_user_apply_once_in_order(
    runtime: Runtime, config_file: Path
) -> None:
    with runtime.unit_of_work() as s:
        add_cadre(s, "zhangsan")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_gunicorn(config_file, port)
    failures: list[str] = []

    def sender(n: int) -> None:
        signer = CallbackSigner(
            CallbackCrypto(TEST_TOKEN, TEST_AES_KEY, TEST_CORP_ID), 1000002, random.Random(n)
        )
        http = requests.Session()
        for i in range(MESSAGES):
            cb = signer.text("zhangsan", f"n:{n}:{i}")
            first = http.post(f"{url}/wecom/callback", params=cb.query, data=cb.body, timeout=30)
            again = http.post(f"{url}/wecom/callback", params=cb.query, data=cb.body, timeout=30)
            if (first.status_code, again.status_code) != (200, 200):
                failures.append(f"{n}:{i}: HTTP {first.status_code}/{again.status_code}")
            elif signer.reply_text(first.content) != signer.reply_text(again.content):
                failures.append(f"{n}:{i}: replay answered differently")

    try:
        wait_healthy(url, proc)
        threads = [threading.Thread(target=sender, args=(n,)) for n in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    assert failures == []
    with runtime.unit_of_work() as s:
        dialog = s.scalars(select(DialogSession)).one()
        inbound = s.scalar(select(func.count()).select_from(InboundMessage))
    log = dialog.data["log"]
    assert sorted(log) == sorted(f"n:{n}:{i}" for n in range(THREADS) for i in range(MESSAGES))
    assert dialog.version == inbound == THREADS * MESSAGES
    for n in range(THREADS):
        mine = [int(m.split(":")[2]) for m in log if m.startswith(f"n:{n}:")]
        assert mine == list(range(MESSAGES))
    # the senders really overlapped: the stored order interleaves threads
    assert log != sorted(log, key=lambda m: (m.split(":")[1], int(m.split(":")[2])))
