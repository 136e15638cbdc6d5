"""A real ``minqing serve`` (gunicorn) in a subprocess, for tests that need one."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.support.paths import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def minqing_serve(
    config_file: Path, port: int, log: Path, *options: str
) -> Iterator[subprocess.Popen[bytes]]:
    """``minqing serve`` on 127.0.0.1:``port`` with extra ``options`` (e.g. ``--workers 2``),
    ready when /healthz is; stopped with SIGTERM (SIGKILL after 10 s) on exit.

    Its log goes to ``log`` (a pipe nobody reads could fill up and stall the server).
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "--config", str(config_file), "serve",
         "--host", "127.0.0.1", "--port", str(port), *options],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL, stderr=log.open("wb"), start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, log.read_text(encoding="utf-8", errors="replace")
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "minqing serve did not come up"
            time.sleep(0.1)  # polling interval of a readiness wait with a deadline
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
