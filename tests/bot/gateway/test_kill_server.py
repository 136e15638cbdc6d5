"""Nothing lost: a REAL server process (``minqing serve``, gunicorn) is SIGKILLed in the
middle of a visit, twice; a new server process picks the conversation up where it was
and the visit is saved with every answer. Runs on SQLite and PostgreSQL.
"""

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
from sqlalchemy import select

from bot.devtools.simulator import Simulator
from bot.runtime import Runtime
from storage.models import DialogSession, Visit
from tests.support.paths import ROOT
from tests.support.roster import CADRE, seed
from tests.support.wecom import make_signer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(config_file: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """``minqing serve`` in its own process group; SIGKILLed (master and workers) on exit."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "--config", str(config_file), "serve",
         "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "minqing serve did not come up"
            time.sleep(0.1)
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # no shutdown, no cleanup: a crash
        proc.wait(timeout=10)
        if proc.stderr:
            proc.stderr.close()


def test_killing_the_server_mid_visit_loses_nothing(runtime: Runtime, config_file: Path) -> None:
    roster = seed(runtime)
    port = free_port()
    url = f"http://127.0.0.1:{port}/wecom/callback"
    # One signer throughout, so message ids never repeat across the restarts.
    sim = Simulator(signer=make_signer(11), userid=CADRE, webhook_url=url, settle=lambda: None)

    def say(text: str) -> str:
        return "\n".join(sim.send(text))

    with server(config_file, port):
        say("走访")
        assert say("王大").startswith("王大（3组 15号）：在家吗？")
        say("在家")
        assert "一问家庭情况" in say("是")
    with server(config_file, port):  # a new process, after SIGKILL
        assert "二问意见建议" in say("1")
        assert "一看房前屋后" in say("否")
    with runtime.unit_of_work() as s:
        row = s.scalars(select(DialogSession).where(DialogSession.userid == CADRE)).one()
        assert row.state != "idle"
    with server(config_file, port):
        for answer in ("2", "1", "1", "跳过", "1"):
            reply = say(answer)
            assert not reply.startswith("[HTTP"), reply
        saved = say("1")
        assert saved.startswith("已保存：王大（3组 15号）入户走访。"), saved
    with runtime.unit_of_work() as s:
        visit = s.scalars(select(Visit)).one()
        assert visit.target_id == roster.targets["王大"]
        assert {k: visit.answers.get(k) for k in ("all_met", "family", "has_suggestion")} == {
            "all_met": "yes",
            "family": "fine",
            "has_suggestion": "no",
        }
        assert visit.answers["outside"] == ["wall_crack"]
        assert visit.answers["inside"] == ["ok"] and visit.answers["family_life"] == ["ok"]
