"""/metrics and JSON logs from a REAL ``minqing serve --workers 2`` (gunicorn).

Encrypted callbacks are posted on fresh connections from several threads until both
workers have answered some (their pids are in the JSON log lines). A scrape, whichever
worker answers it, must then count every callback sent, by outcome, summed across the
workers' files in ``[server] metrics_dir``; the page must parse with prometheus_client's
own parser. Every log line must be a JSON object, and no message content, phone number
or problem text may appear in the log. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from bot.devtools.callback_client import SignedCallback
from tests.support.serve import free_port, minqing_serve, served_config
from tests.support.wecom import make_signer

PHONE = "13812345678"
PROBLEM = "王大爷家屋顶漏水三个月没人管"


def write_config(tmp_path: Path, db_url: str) -> Path:
    return served_config(tmp_path, db_url, metrics_dir=tmp_path / "metrics")


def callback_counts(page: str) -> dict[str, float]:
    """outcome -> minqing_callbacks_total, from a /metrics page."""
    counts = {}
    for family in text_string_to_metric_families(page):
        if family.name == "minqing_callbacks":
            for s in family.samples:
                if s.name == "minqing_callbacks_total":
                    counts[s.labels["outcome"]] = s.value
    return counts


def json_lines(log: Path) -> list[dict[str, object]]:
    lines = [ln for ln in log.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return [json.loads(ln) for ln in lines]  # fails on any line that is not JSON


@pytest.mark.slow
def test_metrics_sum_callbacks_of_both_workers_and_logs_are_json(
    db_url: str, tmp_path: Path
) -> None:
    config = write_config(tmp_path, db_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    signer = make_signer(41)
    sent: Counter[str] = Counter()

    def post(cb: SignedCallback) -> int:
        # requests.post without a Session: a new connection each time, so the kernel
        # may hand it to either worker.
        return requests.post(base + cb.path, data=cb.body, timeout=10).status_code

    def send(batch: list[SignedCallback], outcome: str) -> None:
        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(post, batch)) == [200] * len(batch)
        sent[outcome] += len(batch)

    with minqing_serve(
        config, port, log, "--workers", "2", "--threads", "4", "--log-format", "json"
    ):
        first = signer.text("zhangsan", f"{PROBLEM} 电话{PHONE}")
        send([first], "applied")
        send([first], "replay")  # WeCom's retry of the same callback
        send([signer.text("stranger", "帮助")], "unknown_user")
        deadline = time.monotonic() + 60
        while True:
            send([signer.text("zhangsan", "帮助") for _ in range(16)], "applied")
            pids = {e["pid"] for e in json_lines(log) if e.get("event") == "callback"}
            if len(pids) >= 2:
                break
            assert time.monotonic() < deadline, f"callbacks reached one worker only: {pids}"
        total = sum(sent.values())
        scrapes = [requests.get(base + "/metrics", timeout=10) for _ in range(6)]

    for resp in scrapes:
        assert resp.status_code == 200
        assert resp.headers["Content-Type"].startswith("text/plain")
        counts = callback_counts(resp.text)
        assert sum(counts.values()) == total, (counts, sent)
        assert {k: v for k, v in counts.items() if v} == dict(sent)
        assert "minqing_callback_seconds_bucket" in resp.text
        assert "minqing_database_up 1.0" in resp.text
    # Each worker wrote its own counter file; the scrape summed them.
    assert len(list((tmp_path / "metrics").glob("counter_*.db"))) >= 2

    entries = json_lines(log)
    callbacks = [e for e in entries if e.get("event") == "callback"]
    assert len(callbacks) == total
    assert Counter(e["outcome"] for e in callbacks) == sent
    assert all(e["logger"] == "minqing.webhook" and e["type"] == "text" for e in callbacks)
    text = log.read_text(encoding="utf-8")
    assert PHONE not in text and PROBLEM not in text and "漏水" not in text
    assert "Traceback" not in text
    print(
        f"\nmetrics: {total} callbacks on {len(pids)} workers, counted {dict(sent)} "
        f"by every scrape; {len(entries)} JSON log lines"
    )
