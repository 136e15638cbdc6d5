"""``minqing check-config`` against the fake WeCom: a good config, then broken ones."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner, Result

from bot import config as config_mod
from bot import preflight
from bot.cli import cli
from bot.devtools.fakewecom import RunningFake
from bot.runtime import Runtime
from storage import leases
from storage.db import make_engine
from storage.schema import head_revision
from tests.support.clock import FROZEN_NOW
from tests.support.config import TEST_AES_KEY, TEST_CORP_ID, config_dict
from tests.support.town import groups_section

NOW = "2026-11-23T17:00:00+08:00"  # FROZEN_NOW, campaign-local
# WeCom's 接收消息 Token: letters and digits, at most 32 (the suite's token has hyphens).
GOOD_TOKEN = "minqingCheckToken2026"
ALL_GROUPS = [*groups_section(), {"unit": "西河村", "appchat_id": "chat-west"}]


def write_config(
    path: Path,
    db_url: str,
    api: str,
    secret: str = "test-secret",
    token: str = GOOD_TOKEN,
    groups: list[dict[str, str]] = ALL_GROUPS,
) -> Path:
    text = (
        f'[database]\nurl = "{db_url}"\n\n[wecom]\ncorp_id = "{TEST_CORP_ID}"\n'
        f'token = "{token}"\nencoding_aes_key = "{TEST_AES_KEY}"\nagent_id = 1000002\n'
        f'secret = "{secret}"\napi_base_url = "{api}"\ntimeout_seconds = 5.0\n'
    )
    for g in groups:
        text += "\n[[groups]]\n" + "".join(f'{k} = "{v}"\n' for k, v in g.items())
    path.write_text(text, encoding="utf-8")
    return path


def hold_lease(sessions, seconds_left: float) -> None:  # type: ignore[no-untyped-def]
    """A scheduler took the lease; it runs out ``seconds_left`` after FROZEN_NOW."""
    with sessions() as s:
        assert leases.acquire(s, leases.SCHEDULER_LEASE, "web-1:4242:abc", FROZEN_NOW, 45)
        s.commit()
    with sessions() as s:
        until = FROZEN_NOW + timedelta(seconds=seconds_left)
        lease = s.get(leases.Lease, leases.SCHEDULER_LEASE)
        lease.expires_at = until
        s.commit()


def check(config: Path) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "--now", NOW, "check-config"])


def test_a_good_config_passes_every_check(tmp_path, db_url, sessions, town, fake: RunningFake):
    hold_lease(sessions, 30)
    before = fake.state.gettoken_calls
    result = check(write_config(tmp_path / "config.toml", db_url, fake.url))
    lines = result.output.splitlines()
    assert result.exit_code == 0, result.output
    assert [line[0] for line in lines[:-1]] == ["✓"] * 6, result.output
    assert lines[0].startswith("✓ 数据库 (database): 可以连接")
    assert lines[1] == f"✓ 数据库版本 (migrations): 已是最新 (at head {head_revision_of(db_url)})"
    assert (
        lines[2]
        == f"✓ 企业微信应用凭证 (WeCom credentials): gettoken 成功 (token issued by {fake.url})"
    )
    assert lines[3].startswith("✓ 回调 Token 与 EncodingAESKey")
    assert (
        lines[4]
        == "✓ 群聊或群机器人 (group chats): 3 个有干部的单位都已配置 (every staffed unit has one)"
    )
    assert lines[5] == (
        "✓ 定时任务进程 (scheduler): web-1:4242:abc 持有租约至 2026-11-23 17:00:30 "
        "(lease holder alive)"
    )
    assert lines[-1] == "全部通过 (all 6 checks passed)"
    assert fake.state.gettoken_calls == before + 1  # a real gettoken, not the cached token


def head_revision_of(db_url: str) -> str:
    engine = make_engine(db_url)
    try:
        return head_revision(engine)
    finally:
        engine.dispose()


def test_a_broken_config_names_each_failure(tmp_path, db_url, sessions, town, fake: RunningFake):
    hold_lease(sessions, -60)  # the scheduler died a minute ago
    config = write_config(
        tmp_path / "config.toml",
        db_url,
        fake.url,
        secret="wrong-secret",
        token="minqing-test-token",
        groups=groups_section(),  # 西河村 has cadres but no group
    )
    result = check(config)
    lines = result.output.splitlines()
    assert result.exit_code == 1, result.output
    assert lines[0].startswith("✓ 数据库 (database)") and lines[1].startswith("✓ 数据库版本")
    assert lines[2] == (
        "✗ 企业微信应用凭证 (WeCom credentials): Secret 不对 (wrong secret); "
        f"gettoken errcode 40001 at {fake.url}"
    )
    assert lines[3] == (
        "✗ 回调 Token 与 EncodingAESKey (callback token and key): "
        "Token 须为 1–32 位英文或数字 (token: 1-32 letters or digits)"
    )
    assert lines[4] == (
        "✗ 群聊或群机器人 (group chats): 这些有干部的单位没有配置 [[groups]]：西河村 "
        "(units with cadres but no group chat or robot)"
    )
    assert lines[5] == (
        "✗ 定时任务进程 (scheduler): 租约已于 2026-11-23 16:59:00 过期，没有调度进程在运行 "
        "(lease of web-1:4242:abc expired: no scheduler alive)"
    )
    assert lines[-1] == "4 项未通过 (4 of 6 checks failed)"
    assert "wrong-secret" not in result.output


def test_no_lease_and_a_group_for_an_unknown_unit(tmp_path, db_url, town, fake: RunningFake):
    groups = [*ALL_GROUPS, {"unit": "南湖村", "robot_key": "robot-south"}]
    result = check(write_config(tmp_path / "config.toml", db_url, fake.url, groups=groups))
    assert result.exit_code == 1, result.output
    assert "✗ [[groups]] 单位 (group units): 不在花名册里：南湖村 (unit not on the roster)" in (
        result.output
    )
    assert "✗ 定时任务进程 (scheduler): 从未运行，请启动 minqing scheduler" in result.output


def test_an_unreachable_database_and_api_fail_without_a_traceback(tmp_path):
    # Port 9 on localhost (discard) refuses connections on a test machine.
    config = write_config(
        tmp_path / "config.toml",
        "postgresql+psycopg://minqing:pw@127.0.0.1:9/minqing",
        "http://127.0.0.1:9",
    )
    result = check(config)
    lines = result.output.splitlines()
    assert result.exit_code == 1, result.output
    assert lines[0].startswith("✗ 数据库 (database): 无法连接 (cannot connect to ")
    assert "minqing:***@127.0.0.1:9" in lines[0] and ":pw@" not in result.output
    assert lines[1] == "✗ 数据库版本 (migrations): 未检查：数据库无法连接 (skipped: no database)"
    assert lines[2].startswith(
        "✗ 企业微信应用凭证 (WeCom credentials): 无法访问 (cannot reach) http://127.0.0.1:9"
    )
    assert lines[3].startswith("✓ 回调 Token")
    assert lines[4].endswith("(skipped: database down or not current)")
    assert lines[5].endswith("(skipped: database down or not current)")


def test_an_empty_database_asks_for_init_db(tmp_path, fake: RunningFake):
    db = tmp_path / "empty.db"
    result = check(write_config(tmp_path / "config.toml", f"sqlite:///{db}", fake.url))
    assert result.exit_code == 1
    assert "✗ 数据库版本 (migrations): 尚未建表，请运行 minqing init-db (empty; head is " in (
        result.output
    )
    assert "✗ 定时任务进程 (scheduler): 未检查：数据库不可用或未升级" in result.output


def callback_check(tmp_path: Path, key: str) -> preflight.Check:
    raw = config_dict(f"sqlite:///{tmp_path / 'x.db'}")
    raw["wecom"].update(token=GOOD_TOKEN, encoding_aes_key=key)
    rt = Runtime.from_config(config_mod.from_dict(raw, environ={}))
    try:
        return preflight.callback_secrets(rt)  # reads no table
    finally:
        rt.close()


def test_a_key_wecom_would_never_issue_is_refused(tmp_path):
    # 43 characters passes the config schema, but "+" and "/" never occur in the
    # key WeCom's 随机获取 makes: a key pasted with a typo is caught before go-live.
    assert callback_check(tmp_path, TEST_AES_KEY[:-2] + "+/").line() == (
        "✗ 回调 Token 与 EncodingAESKey (callback token and key): "
        "EncodingAESKey 须为 43 位英文或数字 (key: 43 letters or digits)"
    )
    assert callback_check(tmp_path, TEST_AES_KEY).ok
