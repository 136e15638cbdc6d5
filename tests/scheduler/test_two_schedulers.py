"""Two real ``minqing scheduler`` processes on one PostgreSQL: each firing happens once.

A test-only heartbeat job (every second) is switched on through the environment;
the lease is 3 s, renewed every 0.5 s. While both run, only the leader fires; when
the leader is killed (SIGKILL, no clean release), the other takes over within the
lease time and carries on. Every firing writes its own row (``tick:<firing time>``),
so the rows show every firing: all of A's come before the kill, all of B's after.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import wall_now
from scheduler.registry import TEST_JOB_ENV
from storage.db import make_engine, session_factory
from storage.models import JobRun
from tests.support.config import TEST_AES_KEY, TEST_CORP_ID, TEST_TOKEN
from tests.support.db import truncate_all, wait_for

pytestmark = pytest.mark.slow
MINQING = str(Path(sys.executable).with_name("minqing"))
HOLDER = re.compile(r"leadership acquired by (\S+);")


def _config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "scheduler.toml"
    path.write_text(
        f'[database]\nurl = "{url}"\n\n[wecom]\ncorp_id = "{TEST_CORP_ID}"\n'
        f'token = "{TEST_TOKEN}"\nencoding_aes_key = "{TEST_AES_KEY}"\n',
        encoding="utf-8",
    )
    return path


def _start(config: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, TEST_JOB_ENV: "1"}
    return subprocess.Popen(
        [
            MINQING,
            "--config",
            str(config),
            "scheduler",
            "--lease-seconds",
            "3",
            "--renew-seconds",
            "0.5",
        ],
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        env=env,
    )


def _fire_times(text: str) -> list[float]:
    """Wall-clock times of the 'job tick fired' log lines."""
    out = []
    for line in text.splitlines():
        if "job tick fired on" in line:
            stamp = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
            out.append(stamp.timestamp())
    return out


def _fired(log: Path) -> int:
    return log.read_text(encoding="utf-8").count("job tick fired on")


def test_two_scheduler_processes_fire_each_tick_once(pg_url, tmp_path):
    engine = make_engine(pg_url)
    truncate_all(engine)
    config = _config(tmp_path, pg_url)
    log_a, log_b = tmp_path / "a.log", tmp_path / "b.log"
    a = _start(config, log_a)
    b = None
    try:
        # Generous deadlines throughout: the suite runs on a loaded 2-core machine.
        assert wait_for(lambda: "leadership acquired" in log_a.read_text(encoding="utf-8"), 60)
        b = _start(config, log_b)
        assert wait_for(
            lambda: "scheduler" in log_b.read_text(encoding="utf-8") and _fired(log_a) >= 4, 60
        )
        assert _fired(log_b) == 0 and "leadership acquired" not in log_b.read_text(encoding="utf-8")
        a.send_signal(signal.SIGKILL)  # the leader dies without releasing the lease
        a.wait(5)
        killed_at, killed_wall = time.monotonic(), wall_now().timestamp()  # log times are wall
        assert wait_for(lambda: "leadership acquired" in log_b.read_text(encoding="utf-8"), 30)
        takeover = time.monotonic() - killed_at
        assert wait_for(lambda: _fired(log_b) >= 2, 30)
    finally:
        for proc in (a, b):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(10)
    text_a, text_b = log_a.read_text(encoding="utf-8"), log_b.read_text(encoding="utf-8")
    holder_a, holder_b = HOLDER.search(text_a).group(1), HOLDER.search(text_b).group(1)  # type: ignore[union-attr]
    assert holder_a != holder_b
    # Taken over once the 3 s lease ran out, not after some longer default: the bound is
    # loose (a loaded machine) but far below the 30 s a default lease would take.
    assert takeover < 15, takeover
    with session_factory(engine)() as s:
        ticks = s.scalars(select(JobRun.run_key).where(JobRun.job == "tick")).all()
    done = (text_a + text_b).count("job tick done")
    # One row per completed firing, on either process. The leader killed with SIGKILL
    # may have committed its last firing without living to log "done": at most one.
    assert done <= len(ticks) <= done + 1, (len(ticks), done)
    fired_a, fired_b = _fire_times(text_a), _fire_times(text_b)
    assert len(fired_a) >= 4 and len(fired_b) >= 2
    assert max(fired_a) < killed_wall < min(fired_b)  # never both at once
    assert "no longer holds the lease" not in text_a + text_b
    assert "leadership released by" in text_b  # SIGTERM: clean shutdown
    engine.dispose()
