"""bot/config.py: minimal configs work, every bad key is one clear line, env overrides."""

from __future__ import annotations

import dataclasses
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot import config as config_mod
from bot.config import ConfigError, from_dict, load, resolve_path
from tests.support.config import TEST_AES_KEY
from tests.support.paths import ROOT

MINQING = Path(sys.executable).with_name("minqing")


def minimal(**sections: dict[str, Any]) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "database": {"url": "sqlite:///var/minqing.db"},
        "wecom": {"corp_id": "ww1", "token": "tok", "encoding_aes_key": TEST_AES_KEY},
    }
    for name, values in sections.items():
        raw.setdefault(name, {}).update(values)
    return raw


def test_minimal_config_is_valid_with_defaults():
    config = from_dict(minimal(), environ={})
    assert config.database.url == "sqlite:///var/minqing.db"
    assert config.wecom.secret == "" and config.wecom.agent_id == 0
    assert config.wecom.api_base_url == "https://qyapi.weixin.qq.com"
    assert (config.server.host, config.server.port) == ("127.0.0.1", 8080)
    assert config.campaign == config_mod.CampaignConfig()
    assert config.campaign.timezone == "Asia/Shanghai"
    assert config.scheduler.reminder_days_before == (3, 1)
    assert config.ledger.default_scheme == "changzhou"
    assert config.groups == ()


BAD_KEYS = [
    ({"database": {"url": None}}, "database.url"),
    ({"database": {"url": "mysql://x"}}, "database.url"),
    ({"database": {"url": "sqlite"}}, "database.url"),
    ({"database": {"url": "sqlitex://"}}, "database.url"),
    ({"database": {"url": "postgresql+psycopg2://db/x"}}, "database.url"),
    ({"database": {"echo": "yes"}}, "database.echo"),
    ({"database": {"pool_size": 0}}, "database.pool_size"),
    ({"wecom": {"corp_id": ""}}, "wecom.corp_id"),
    ({"wecom": {"token": 5}}, "wecom.token"),
    ({"wecom": {"encoding_aes_key": "short"}}, "wecom.encoding_aes_key"),
    ({"wecom": {"agent_id": "100"}}, "wecom.agent_id"),
    ({"wecom": {"timeout_seconds": 0}}, "wecom.timeout_seconds"),
    ({"server": {"port": 70000}}, "server.port"),
    ({"server": {"workers": True}}, "server.workers"),
    ({"outbox": {"max_attempts": 0}}, "outbox.max_attempts"),
    ({"campaign": {"quota_per_cadre": -1}}, "campaign.quota_per_cadre"),
    ({"campaign": {"name": 3}}, "campaign.name"),
    ({"ledger": {"default_scheme": "beijing"}}, "ledger.default_scheme"),
    ({"ledger": {"resolve_days_town": 0}}, "ledger.resolve_days_town"),
    ({"ledger": {"assign_within_days": 10_000_000}}, "ledger.assign_within_days"),
    ({"ledger": {"resolve_days_city": 10_000_000}}, "ledger.resolve_days_city"),
    ({"outbox": {"max_backoff_seconds": 1e300}}, "outbox.max_backoff_seconds"),
    ({"wecom": {"timeout_seconds": float("nan")}}, "wecom.timeout_seconds"),
    ({"scheduler": {"reminder_days_before": [3, -1]}}, "scheduler.reminder_days_before"),
    ({"scheduler": {"review_day_of_week": "monday"}}, "scheduler.review_day_of_week"),
    ({"scheduler": {"review_time": "25:00"}}, "scheduler.review_time"),
    ({"scheduler": {"daily_digest_time": "8pm"}}, "scheduler.daily_digest_time"),
    ({"nonsense": {"a": 1}}, "[nonsense]"),
]


@pytest.mark.parametrize(("sections", "key"), BAD_KEYS, ids=[k for _, k in BAD_KEYS])
def test_each_bad_key_is_one_line_naming_it(sections, key):
    raw = minimal()
    for name, values in sections.items():
        raw.setdefault(name, {}).update(values)
        raw[name] = {k: v for k, v in raw[name].items() if v is not None}
    with pytest.raises(ConfigError) as info:
        from_dict(raw, environ={}, source="config.toml")
    text = str(info.value)
    assert key in text and text.startswith("config.toml: ")
    assert "\n" not in text


TYPOS = [
    ({"wecom": {"secert": "s3cret"}}, "config.toml: wecom.secert is not a known key", "secret"),
    ({"wecom": {"agentid": 1000002}}, "config.toml: wecom.agentid is not a known key", "agent_id"),
    ({"server": {"prot": 9000}}, "config.toml: server.prot is not a known key", "port"),
    (
        {"outbox": {"max_attemps": 99}},
        "config.toml: outbox.max_attemps is not a known key",
        "max_attempts",
    ),
    ({"schedular": {"review_size": 3}}, "config.toml: unknown section [schedular]", "scheduler"),
]


@pytest.mark.parametrize(("sections", "start", "meant"), TYPOS, ids=[t[1] for t in TYPOS])
def test_a_misspelt_key_is_refused_naming_it_and_the_key_meant(sections, start, meant):
    with pytest.raises(ConfigError) as info:
        from_dict(minimal(**sections), environ={}, source="config.toml")
    text = str(info.value)
    assert text.startswith(start) and f"did you mean {meant}?" in text and "\n" not in text


def test_an_unknown_time_zone_is_refused_naming_the_key():
    with pytest.raises(ConfigError) as info:
        from_dict(minimal(campaign={"timezone": "Mars/Base"}), environ={}, source="config.toml")
    assert str(info.value) == (
        "config.toml: campaign.timezone 'Mars/Base' is not a known time zone (e.g. Asia/Shanghai)"
    )


def test_redis_is_accepted_with_a_deprecation_line_and_nothing_else_in_it():
    config = from_dict(minimal(redis={"url": "redis://localhost"}), environ={}, source="c.toml")
    assert config.deprecations == (
        "c.toml: [redis] is deprecated and ignored (shared caches live in the database); "
        "remove the section",
    )
    with pytest.raises(ConfigError, match=r"^c.toml: redis.host is not a known key"):
        from_dict(minimal(redis={"host": "x"}), environ={}, source="c.toml")
    assert from_dict(minimal(), environ={}).deprecations == ()


def test_every_default_is_the_dataclass_default():
    config = from_dict(minimal(), environ={})
    assert config.server == config_mod.ServerConfig()
    assert config.outbox == config_mod.OutboxConfig()
    assert config.ledger == config_mod.LedgerConfig()
    assert config.scheduler == config_mod.SchedulerConfig()
    assert (config.server.threads, config.server.request_timeout_seconds) == (64, 10.0)


def test_sections_stay_frozen_dataclasses():
    config = from_dict(minimal(outbox={"batch_size": 7}), environ={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.outbox.batch_size = 8  # type: ignore[misc]
    assert dataclasses.replace(config.outbox, batch_size=9).batch_size == 9
    assert isinstance(config.outbox.base_backoff_seconds, float)


@pytest.mark.parametrize(
    ("groups", "why"),
    [
        ({"a": 1}, "groups must be written as [[groups]]"),
        ([{"appchat_id": "c1"}], "groups[0].unit is required"),
        ([{"unit": "虹桥村"}], "groups[0]: set exactly one of appchat_id or robot_key"),
        ([{"unit": "虹桥村", "appchat_id": "c", "robot_key": "k"}], "set exactly one"),
    ],
)
def test_bad_groups_name_the_entry(groups, why):
    with pytest.raises(ConfigError, match=why.replace("[", r"\[").replace("]", r"\]")):
        from_dict({**minimal(), "groups": groups}, environ={})


def test_group_with_robot_key_is_kept():
    config = from_dict({**minimal(), "groups": [{"unit": "虹桥村", "robot_key": "k"}]}, environ={})
    assert config.groups == (config_mod.GroupChat(unit="虹桥村", robot_key="k"),)


def test_secrets_may_come_from_the_environment():
    raw = minimal(wecom={"secret": "from-file"})
    assert from_dict(raw, environ={}).wecom.secret == "from-file"
    env = {"MINQING_WECOM_SECRET": "from-env", "MINQING_DATABASE_URL": "postgresql+psycopg://db/x"}
    config = from_dict(raw, environ=env)
    assert config.wecom.secret == "from-env"
    assert config.database.url == "postgresql+psycopg://db/x"
    del raw["database"]["url"]  # the environment alone may supply the URL
    assert from_dict(raw, environ=env).database.url == "postgresql+psycopg://db/x"


def test_config_path_resolution_order(tmp_path):
    assert resolve_path("a.toml", {"MINQING_CONFIG": "b.toml"}) == Path("a.toml")
    assert resolve_path(None, {"MINQING_CONFIG": "b.toml"}) == Path("b.toml")
    assert resolve_path(None, {}) == Path("config.toml")


def test_load_reports_missing_and_malformed_files(tmp_path):
    with pytest.raises(ConfigError, match="找不到配置文件"):
        load(tmp_path / "none.toml", environ={})
    broken = tmp_path / "broken.toml"
    broken.write_text("[database\nurl = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(broken, environ={})
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load(binary, environ={})


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "key"),
    [
        (
            '[database]\nurl = "sqlite:///x.db"\n[wecom]\ncorp_id = "w"\ntoken = "t"\n',
            "wecom.encoding_aes_key",
        ),
        ("[database\n", "not valid TOML"),
        (
            f'[database]\nurl = "sqlite:///x.db"\n[wecom]\ncorp_id = "w"\ntoken = "t"\n'
            f'encoding_aes_key = "{TEST_AES_KEY}"\nsecert = "s"\n',
            "wecom.secert is not a known key (did you mean secret?)",
        ),
        (
            f'[database]\nurl = "sqlite:///x.db"\n[wecom]\ncorp_id = "w"\ntoken = "t"\n'
            f'encoding_aes_key = "{TEST_AES_KEY}"\n[campaign]\ntimezone = "Mars/Base"\n',
            "campaign.timezone 'Mars/Base' is not a known time zone",
        ),
    ],
)
def test_minqing_with_a_bad_config_exits_2_without_traceback(tmp_path, text, key):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [str(MINQING), "--config", str(path), "init-db"],
        cwd=tmp_path,  # a config that wrongly passes must not leave x.db behind
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 2
    assert key in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.slow
@pytest.mark.parametrize(
    "url",
    ["sqlite:///{tmp}/no/such/dir/x.db", "postgresql+psycopg://postgres@127.0.0.1:{port}/x"],
)
def test_minqing_with_an_unreachable_database_says_so_in_one_line(tmp_path, url):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = tmp_path / "config.toml"
    db = url.format(tmp=tmp_path, port=port)
    path.write_text(
        f'[database]\nurl = "{db}"\n[wecom]\ncorp_id = "w"\ntoken = "t"\n'
        f'encoding_aes_key = "{TEST_AES_KEY}"\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [str(MINQING), "--config", str(path), "problems"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 1
    assert "database unavailable" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_every_key_in_config_example_is_a_real_key(tmp_path):
    """Uncomment every key and section in config.example.toml: the result is valid."""
    example = ROOT / "config.example.toml"
    lines = []
    for line in example.read_text(encoding="utf-8").splitlines():
        if re.match(r"^# (\[\[?\w+\]\]?|\w+ = .*)$", line):
            line = line[2:]
        lines.append(line)
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    config = load(path, environ={})
    assert config.deprecations == ()
    assert config.wecom.agent_id == 1000002 and config.campaign.timezone == "Asia/Shanghai"
    assert config.server.request_timeout_seconds == 10 and config.groups[0].unit == "虹桥镇"
