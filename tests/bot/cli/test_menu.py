"""`minqing menu`: the app's WeCom menu, shown and pushed to the (fake) WeCom."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli
from bot.clock import frozen_environ
from bot.devtools.fakewecom import RunningFake
from tests.support.clock import FROZEN_NOW


def run(config_file: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner(env=frozen_environ(FROZEN_NOW)).invoke(
        cli, ["--config", str(config_file), "menu", *args]
    )


def with_sections(config_file: Path, text: str) -> Path:
    config_file.write_text(config_file.read_text(encoding="utf-8") + text, encoding="utf-8")
    return config_file


def test_the_menu_is_pushed_with_click_keys_the_handlers_answer_and_the_pages_link(
    config_file: Path, fake: RunningFake
) -> None:
    with_sections(
        config_file,
        f'api_base_url = "{fake.url}"\n\n[pages]\nenabled = true\n'
        'public_url = "https://mq.example.cn"\nsecret_key = "0123456789abcdef"\n',
    )
    out = run(config_file, "--push")
    assert out.exit_code == 0, out.output
    assert "已设置应用 1000002 的菜单" in out.stderr
    (pushed,) = [r for r in fake.state.records if r["api"] == "menu/create"]
    top = pushed["body"]["button"]
    assert [b["name"] for b in top] == ["走访", "进度", "更多"]
    assert [(b["key"]) for b in top[:2]] == ["visit", "progress"]
    more = {b["name"]: b for b in top[2]["sub_button"]}
    assert more["导出表格"]["key"] == "export" and more["报表"]["key"] == "report"
    assert more["总览页面"] == {
        "type": "view",
        "name": "总览页面",
        "url": "https://mq.example.cn/m/",
    }
    assert len(top[2]["sub_button"]) <= 5  # WeCom's limit


def test_without_push_the_menu_is_printed_and_nothing_is_sent(
    config_file: Path, fake: RunningFake
) -> None:
    with_sections(config_file, f'api_base_url = "{fake.url}"\n')
    out = run(config_file)
    assert out.exit_code == 0
    names = [b["name"] for b in json.loads(out.stdout)["button"][2]["sub_button"]]
    assert names == ["新增", "修改", "导出表格", "报表"]  # no pages configured: no page link
    assert fake.state.records == []


def test_a_refused_push_says_why(config_file: Path, fake: RunningFake) -> None:
    with_sections(config_file, f'api_base_url = "{fake.url}"\n')
    fake.state.fail_errcode, fake.state.fail_count = 60020, 1
    out = run(config_file, "--push")
    assert out.exit_code == 1 and "菜单未能设置" in out.stderr and "60020" in out.stderr
