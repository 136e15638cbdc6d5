"""Chat shows the fact layer's figures: 进度 through the webhook, and the 问题 list is
what ``minqing export problems --as`` writes (tests/support/facts.py's world)."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli
from tests.support.exports import read_workbook
from tests.support.facts import build_facts_world


def test_progress_counts_an_unanswered_call_as_still_to_visit(wc, runtime):
    with runtime.unit_of_work() as s:
        build_facts_world(s)
    reply = wc.say("wangge1", "进度")
    assert (
        "我的进度：入户走访 1 户，电话联系 1 户，不在家已登记 1 户，共应走访 5 户（完成 60%）"
        in reply
    )
    assert "电话未接通 1 户、约访 0 户，仍在待访名单中" in reply
    assert "村（社区）：已走访 1 / 应走访 1" in reply
    assert "单位或商铺：已走访 1 / 应走访 1" in reply


def test_export_problems_as_a_person_is_their_chat_list(wc, runtime, config_file, tmp_path):
    with runtime.unit_of_work() as s:
        world = build_facts_world(s)
    expected = {
        "zzleader": [world.p1],  # assigned to 综治办, about a 虹桥村 household
        "wangsj": [world.p1, world.p2],
        "zongzhi": [world.p1, world.p2],  # found both
        "wangge1": [],
    }
    for userid, ids in expected.items():
        listing = wc.say(userid, "问题")
        in_chat = [int(n) for n in re.findall(r"#(\d+)", listing)]
        path: Path = tmp_path / f"{userid}.xlsx"
        out = CliRunner().invoke(
            cli,
            [
                "--config",
                str(config_file),
                "export",
                "problems",
                "--out",
                str(path),
                "--as",
                userid,
            ],
        )
        assert out.exit_code == 0, out.output
        rows = read_workbook(path).body
        texts = {world.p1: "村口路灯", world.p2: "养老金"}
        exported = sorted(
            pid for pid, word in texts.items() if any(word in str(r[3]) for r in rows)
        )
        # the chat's default list shows open problems; P2 was explained at the door and
        # stays listed until its 回访, so the two lists are the same problems
        assert sorted(in_chat) == exported == ids, (userid, listing)
