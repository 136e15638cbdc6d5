"""A WeCom outage never puts the app secret, a token or a robot key in logs or tables.

The outbox worker runs in-process against a port nobody listens on: first with no
token (gettoken fails: its URL has ``corpsecret``), then with a stored token
(message/send fails: ``access_token``) and a robot row (``webhook/send?key=``).
Every log record (DEBUG and up, urllib3's included), every ``outbox.last_error``
and ``minqing outbox``'s output are then searched for the three values.
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot import config as config_mod
from bot.cli import cli
from bot.outbox.worker import DrainCounts, drain_once
from bot.runtime import Runtime
from bot.wecom.redact import redact
from bot.wecom.tokens import make_client
from storage import outbox
from storage.models import OutboxMessage
from tests.support.clock import MutableClock
from tests.support.config import config_dict

SECRET = "Sx9corpSecretValue4711abc"
TOKEN = "tokAcc3ssValue0815xyz"
ROBOT_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_outage_leaks_no_secret_token_or_robot_key(
    db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    base = f"http://127.0.0.1:{closed_port()}"
    raw = config_dict(
        db_url,
        wecom={"api_base_url": base, "timeout_seconds": 0.5, "secret": SECRET},
        outbox={"max_attempts": 3, "base_backoff_seconds": 10.0},
    )
    clock = MutableClock()
    rt = Runtime.from_config(config_mod.from_dict(raw, environ={}), clock=clock)
    try:
        with rt.unit_of_work() as s:
            outbox.enqueue(s, "message", "u1", outbox.text_payload("提醒"), clock.now)
            outbox.enqueue(s, "robot", ROBOT_KEY, outbox.text_payload("群提醒"), clock.now)
        assert drain_once(rt) == DrainCounts(retrying=2)  # gettoken refused; robot refused

        make_client(rt).tokens.put(TOKEN, clock.now.replace(year=2030))
        clock.advance(hours=1)
        assert drain_once(rt) == DrainCounts(retrying=2)  # message/send refused, robot too

        with rt.unit_of_work() as s:
            errors = [r.last_error for r in s.scalars(select(OutboxMessage))]
    finally:
        rt.close()
    assert all("ConnectionError" in e for e in errors), errors
    assert any("access_token=***" in e for e in errors), errors
    assert any("key=***" in e for e in errors), errors

    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[database]\nurl = "{db_url}"\n\n[wecom]\ncorp_id = "{raw["wecom"]["corp_id"]}"\n'
        f'token = "{raw["wecom"]["token"]}"\n'
        f'encoding_aes_key = "{raw["wecom"]["encoding_aes_key"]}"\nagent_id = 1000002\n'
        f'secret = "{SECRET}"\n',
        encoding="utf-8",
    )
    listed = CliRunner().invoke(cli, ["--config", str(config_file), "outbox"])
    assert listed.exit_code == 0, listed.output
    assert "robot" in listed.output and "u1" in listed.output

    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert "corpsecret=***" in logged  # the failures were logged, credentials masked
    for place, text in [("log", logged), ("last_error", "\n".join(errors))] + [
        ("minqing outbox", listed.output)
    ]:
        for value in (SECRET, TOKEN, ROBOT_KEY):
            assert value not in text, f"{value} found in {place}"


def test_redact_masks_credentials_in_urls_and_the_literal_secret() -> None:
    text = (
        "url: /cgi-bin/gettoken?corpid=ww1&corpsecret=abc123 and "
        "/cgi-bin/message/send?access_token=T0k%2Fx&debug=1 and webhook/send?key=k-1-2 "
        "(event_key=menu_1) secret abc123 again"
    )
    assert redact(text, "abc123") == (
        "url: /cgi-bin/gettoken?corpid=ww1&corpsecret=*** and "
        "/cgi-bin/message/send?access_token=***&debug=1 and webhook/send?key=*** "
        "(event_key=menu_1) secret *** again"
    )
