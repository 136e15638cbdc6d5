"""A real ``minqing serve`` (gunicorn) in a subprocess, for tests that need one."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from bot import config as config_mod
from bot.runtime import Runtime
from tests.support.config import TEST_AES_KEY, TEST_CORP_ID, TEST_TOKEN
from tests.support.paths import ROOT
from tests.support.wecom import add_cadre


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def toml_value(value: object) -> str:
    """``value`` as TOML: a string or path quoted (JSON's escapes are TOML's), else as is."""
    return json.dumps(str(value)) if isinstance(value, str | Path) else str(value)


def served_config(tmp_path: Path, db_url: str, **server: object) -> Path:
    """A config file for a served minqing on ``db_url`` (already migrated), with
    ``[server]`` settings from ``server`` and one cadre, 张三 (``zhangsan``)."""
    lines = "".join(f"{key} = {toml_value(value)}\n" for key, value in server.items())
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "{db_url}"\n\n[wecom]\ncorp_id = "{TEST_CORP_ID}"\n'
        f'token = "{TEST_TOKEN}"\nencoding_aes_key = "{TEST_AES_KEY}"\nagent_id = 1000002\n\n'
        f"[server]\n{lines}",
        encoding="utf-8",
    )
    rt = Runtime.from_config(config_mod.load(path, environ={}))
    with rt.unit_of_work() as s:
        add_cadre(s, "zhangsan", name="张三")
    rt.close()
    return path


def served_sqlite_config(tmp_path: Path, sqlite_template: Path, **server: object) -> Path:
    """:func:`served_config` on a copy of the migrated SQLite template in ``tmp_path``."""
    db = tmp_path / "minqing.db"
    shutil.copy(sqlite_template, db)
    return served_config(tmp_path, f"sqlite:///{db}", **server)


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
