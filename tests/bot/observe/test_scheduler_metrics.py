"""The scheduler's lease holder and last successful run, as /metrics reads them.

A REAL ``minqing scheduler --log-format json`` runs the test-only heartbeat job (every
second) against the test database; the web app, a different process, then reports the
holder the scheduler logged and the heartbeat's last success, read from the database.
Every line the scheduler logged is a JSON object.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot import config as config_mod
from bot.app import create_app
from scheduler.registry import TEST_JOB_ENV
from tests.support.config import TEST_AES_KEY, TEST_CORP_ID, TEST_TOKEN
from tests.support.db import wait_for
from tests.support.paths import ROOT

pytestmark = pytest.mark.slow


def scheduler_metrics(page: str) -> dict[str, dict[str, float]]:
    """metric name -> {label value or "": value} for the scheduler's families."""
    out: dict[str, dict[str, float]] = {}
    for family in text_string_to_metric_families(page):
        for s in family.samples:
            if s.name.startswith(("minqing_scheduler_", "minqing_job_")):
                label = next(iter(s.labels.values()), "")
                out.setdefault(s.name, {})[label] = s.value
    return out


def test_metrics_show_the_scheduler_lease_holder_and_last_success(
    db_url: str, tmp_path: Path
) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[database]\nurl = "{db_url}"\n\n[wecom]\ncorp_id = "{TEST_CORP_ID}"\n'
        f'token = "{TEST_TOKEN}"\nencoding_aes_key = "{TEST_AES_KEY}"\n',
        encoding="utf-8",
    )
    app = create_app(config_mod.load(config_file, environ={}))
    web = app.test_client()
    assert scheduler_metrics(web.get("/metrics").get_data(as_text=True)) == {}  # none yet

    log = tmp_path / "scheduler.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "--config", str(config_file), "scheduler",
         "--lease-seconds", "30", "--renew-seconds", "1", "--log-format", "json"],
        cwd=ROOT, env={**os.environ, TEST_JOB_ENV: "1", "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL, stderr=log.open("wb"),
    )  # fmt: skip
    try:
        # Generous deadline: the suite runs on a loaded 2-core machine.
        assert wait_for(lambda: "job tick done" in log.read_text(encoding="utf-8"), 60), (
            log.read_text(encoding="utf-8")[-2000:]
        )
        found = scheduler_metrics(web.get("/metrics").get_data(as_text=True))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)

    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    [acquired] = [e for e in entries if str(e["msg"]).startswith("leadership acquired by ")]
    holder = str(acquired["msg"]).removeprefix("leadership acquired by ").split(";")[0]
    assert found["minqing_scheduler_lease_held"] == {holder: 1.0}
    assert 0 < found["minqing_scheduler_lease_expires_in_seconds"][""] <= 30
    assert set(found["minqing_job_last_success_timestamp_seconds"]) == {"tick"}
    assert found["minqing_job_last_success_timestamp_seconds"]["tick"] > 0
