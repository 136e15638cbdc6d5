"""Slow clients do not take the webhook down.

A REAL ``minqing serve`` (gunicorn, default workers and threads, SQLite) is attacked by
50 slowloris connections for ~16 s: half trickle a header one byte a second, half send
their headers and then trickle a body. Meanwhile real encrypted callbacks and /healthz
probes must all be answered quickly, and every slow connection must be cut by the
per-request deadline (``[server] request_timeout_seconds``) rather than hold a thread
for as long as it likes.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import requests

from tests.support.serve import free_port, minqing_serve, served_sqlite_config
from tests.support.slowloris import Slowloris, p99
from tests.support.wecom import make_signer

SLOW_CONNECTIONS = 50
ATTACK_SECONDS = 16.0
REQUEST_TIMEOUT = 6  # [server] request_timeout_seconds for this test: well inside the attack


@pytest.fixture
def sqlite_config(tmp_path: Path, sqlite_template: Path) -> Path:
    return served_sqlite_config(tmp_path, sqlite_template, request_timeout_seconds=REQUEST_TIMEOUT)


@pytest.mark.slow
def test_callbacks_and_healthz_answer_under_50_slow_connections(
    sqlite_config: Path, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    signer = make_signer(31)
    callback_ms: list[float] = []
    health_ms: list[float] = []
    failures: list[str] = []
    log = tmp_path / "serve.log"
    with minqing_serve(sqlite_config, port, log):
        attack = Slowloris(port, SLOW_CONNECTIONS, ATTACK_SECONDS)
        attacker = threading.Thread(target=attack.run, daemon=True)
        attacker.start()
        assert attack.opened.wait(10) and attack.error is None, attack.error
        try:
            while attacker.is_alive():
                signer.now += 1
                cb = signer.text("zhangsan", "帮助")
                started = time.perf_counter()
                try:
                    resp = requests.post(base + cb.path, data=cb.body, timeout=5)
                    callback_ms.append((time.perf_counter() - started) * 1000)
                    if resp.status_code != 200 or "可用指令" not in signer.reply_text(resp.content):
                        failures.append(f"callback: HTTP {resp.status_code}")
                except requests.RequestException as exc:
                    failures.append(f"callback: {type(exc).__name__}")
                started = time.perf_counter()
                try:
                    health = requests.get(base + "/healthz", timeout=5)
                    health_ms.append((time.perf_counter() - started) * 1000)
                    if health.status_code != 200:
                        failures.append(f"healthz: HTTP {health.status_code}")
                except requests.RequestException as exc:
                    failures.append(f"healthz: {type(exc).__name__}")
                attack.stop.wait(0.05)  # ~10 probe pairs a second, not a load test
        finally:
            attack.stop.set()
            attacker.join(timeout=10)
    assert attack.error is None, attack.error
    cb_p99 = p99(callback_ms) if callback_ms else float("inf")
    print(
        f"\nslow clients: {SLOW_CONNECTIONS} connections for {ATTACK_SECONDS:.0f} s; "
        f"{len(callback_ms)} callbacks p99 {cb_p99:.0f} ms (max {max(callback_ms, default=0):.0f}); "
        f"{len(health_ms)} /healthz p99 {p99(health_ms) if health_ms else float('inf'):.0f} ms; "
        f"slow connections cut {sum(attack.cut_per_connection)} times; failures {len(failures)}"
    )
    assert failures == [], failures[:10]
    assert len(callback_ms) >= 50  # the probes really ran throughout the attack
    assert cb_p99 < 1000, f"callback p99 {cb_p99:.0f} ms"
    # Every slow connection was cut by the request deadline at least once, and said so.
    assert min(attack.cut_per_connection) >= 1, attack.cut_per_connection
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "still unfinished after 6 s (slow clients" in text
    assert "Traceback" not in text, text[-3000:]
