"""The fake WeCom's random faults (failures, timeouts) and its per-message delivery count."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from bot.cli import cli
from bot.config import WecomConfig
from bot.devtools.fakewecom import Faults, create_fake_app, start_in_thread
from bot.wecom.client import TokenFetch, WecomClient, WecomNetworkError
from tests.support.config import TEST_AES_KEY, TEST_CORP_ID, TEST_TOKEN
from tests.support.db import wait_for

TEXT = {"msgtype": "text", "text": {"content": "已保存：张三（1组1号）"}}


def draws(faults: Faults, n: int) -> Counter[str]:
    return Counter(faults.draw() for _ in range(n))


def test_the_same_seed_injects_the_same_faults_at_the_given_rates() -> None:
    a = Faults(0.1, 0.05, 1.0, random.Random(7))
    b = Faults(0.1, 0.05, 1.0, random.Random(7))
    seq_a = [a.draw() for _ in range(500)]
    assert seq_a == [b.draw() for _ in range(500)]
    counts = draws(Faults(0.1, 0.05, 1.0, random.Random(11)), 4000)
    failed = counts["busy"] + counts["http500"]
    assert 0.08 < failed / 4000 < 0.12, counts
    assert 0.035 < counts["timeout"] / 4000 < 0.065, counts
    assert counts["busy"] > 100 and counts["http500"] > 100, counts  # both kinds occur


def test_no_rates_means_no_faults_and_impossible_rates_are_refused() -> None:
    assert draws(Faults(), 200) == Counter({"": 200})
    with pytest.raises(ValueError):
        Faults(0.7, 0.6)
    with pytest.raises(ValueError):
        Faults(-0.1, 0.0)


def test_an_injected_failure_answers_busy_or_500_and_delivers_nothing() -> None:
    app = create_fake_app(faults=Faults(failure_rate=1.0, rng=random.Random(3)))
    web = app.test_client()
    token = web.get("/cgi-bin/gettoken?corpid=c&corpsecret=s").get_json()["access_token"]
    answers = [
        web.post(f"/cgi-bin/message/send?access_token={token}", json={"touser": "u1", **TEXT})
        for _ in range(20)
    ]
    statuses = Counter(
        "http500" if r.status_code == 500 else f"errcode{r.get_json()['errcode']}" for r in answers
    )
    assert set(statuses) == {"http500", "errcode-1"}, statuses
    stats = web.get("/fake/stats").get_json()
    assert stats["deliveries"] == 0
    assert stats["faults"] == {"busy": statuses["errcode-1"], "http500": statuses["http500"]}
    robot = web.post("/cgi-bin/webhook/send?key=k1", json=TEXT)
    assert robot.status_code == 500 or robot.get_json()["errcode"] == -1
    assert web.get("/fake/stats").get_json()["deliveries"] == 0


def test_every_delivery_is_counted_by_content_and_repeats_are_listed() -> None:
    web = create_fake_app().test_client()
    token = web.get("/cgi-bin/gettoken?corpid=c&corpsecret=s").get_json()["access_token"]
    for chat in ("c1", "c1", "c2"):
        body = {"chatid": chat, **TEXT}
        assert web.post(f"/cgi-bin/appchat/send?access_token={token}", json=body).status_code == 200
    web.post(f"/cgi-bin/message/send?access_token={token}", json={"touser": "u1", **TEXT})
    got = web.get("/fake/deliveries").get_json()
    assert got["delivered"] == 4 and got["distinct"] == 3
    assert list(got["repeats"].values()) == [2]
    assert "chat:c1" in next(iter(got["repeats"]))
    assert web.get("/fake/stats").get_json()["repeated"] == 1


class MemoryTokens:
    """A token store for one client (the real one lives in the database)."""

    token: str | None = None

    def get(self, now: datetime) -> str | None:
        return self.token

    def put(self, token: str, expires_at: datetime) -> None:
        self.token = token

    def refresh(self, now: datetime, fetch: TokenFetch, stale: str | None) -> str:
        self.token = fetch()[0]
        return self.token


def test_a_timeout_delivers_but_answers_too_late_and_the_resend_is_dropped() -> None:
    faults = Faults(timeout_rate=1.0, timeout_seconds=1.5, rng=random.Random(1))
    fake = start_in_thread(secret="s", faults=faults)
    try:
        cfg = WecomConfig(
            corp_id=TEST_CORP_ID,
            token=TEST_TOKEN,
            encoding_aes_key=TEST_AES_KEY,
            secret="s",
            agent_id=1,
            api_base_url=fake.url,
            timeout_seconds=0.3,
        )
        client = WecomClient(cfg, MemoryTokens(), lambda: datetime(2026, 11, 23, tzinfo=UTC))
        for _ in range(2):  # the sender does not know the first went out, so it sends again
            with pytest.raises(WecomNetworkError):
                client.send_message("u1", TEXT)

        def stats() -> dict[str, Any]:
            return dict(requests.get(f"{fake.url}/fake/stats", timeout=10).json())

        # once, though both calls timed out; the second was WeCom's duplicate check
        assert wait_for(lambda: stats()["duplicates"] == 1), stats()
        assert stats()["deliveries"] == 1 and stats()["repeated"] == 0
        assert stats()["faults"] == {"timeout": 2}
    finally:
        fake.stop()


def test_the_command_refuses_rates_that_add_up_past_one() -> None:
    result = CliRunner().invoke(
        cli, ["fake-wecom", "--failure-rate", "0.6", "--timeout-rate", "0.6", "--port", "1"]
    )
    assert result.exit_code == 2
    assert "must not exceed 1" in result.output
