"""The simulator end to end: real HTTP webhook, real fake WeCom, the outbox in between."""

from __future__ import annotations

import random

from bot.app import create_app
from bot.devtools.callback_client import CallbackSigner
from bot.devtools.fakewecom import RunningFake
from bot.devtools.simulator import Simulator, play, render
from bot.handlers import router
from bot.outbox.worker import drain_once
from bot.runtime import Runtime
from bot.wecom.crypto import CallbackCrypto
from tests.support.config import TEST_AES_KEY, TEST_CORP_ID, TEST_TOKEN
from tests.support.handlers import CardClick, SendCard
from tests.support.wecom import add_cadre, serve_in_thread

SCRIPT = """\
# a comment line is skipped
帮助
卡片
2
!location 28.1 113.2 村口
!image
"""


def test_script_plays_cards_and_clicks_through_real_callbacks(
    api_runtime: Runtime, fake: RunningFake
) -> None:
    with api_runtime.unit_of_work() as s:
        add_cadre(s, "zhangsan", name="张三")
    handlers = [SendCard(), CardClick(), *router.HANDLERS]
    app = create_app(runtime=api_runtime, handlers=handlers)
    signer = CallbackSigner(
        CallbackCrypto(TEST_TOKEN, TEST_AES_KEY, TEST_CORP_ID), 1000002, random.Random(1)
    )
    with serve_in_thread(app) as live:
        sim = Simulator(
            signer=signer,
            userid="zhangsan",
            webhook_url=f"{live.url}/wecom/callback",
            fake_url=fake.url,
            settle=lambda: drain_once(api_runtime),
        )
        out: list[str] = []
        play(sim, SCRIPT.splitlines(), out.append)
    text = "\n".join(out)
    assert out[0] == "> 帮助" and out[1] == "< 【民情大走访】可用指令："
    card_at = out.index("> 卡片")
    assert out[card_at + 1 : card_at + 6] == [
        "< 【是否在家？】",
        "< 张三户",
        "< 地址：一组3号",
        "<   [1] 在家",
        "<   [2] 不在家",
    ]
    assert out[card_at + 6 : card_at + 8] == ["> 2", "< 你按了 away（task-42）"]
    assert "> !location 28.1 113.2 村口\n< 抱歉，暂不支持这种消息类型" in text
    assert text.endswith(
        "> !image\n< 抱歉，暂不支持这种消息类型。请发送文字，或发送“帮助”查看可用指令。"
    )


def test_a_number_without_a_card_is_plain_text() -> None:
    signer = CallbackSigner(
        CallbackCrypto(TEST_TOKEN, TEST_AES_KEY, TEST_CORP_ID), 1, random.Random(2)
    )
    sim = Simulator(signer=signer, userid="u", webhook_url="http://unused", fake_url="")
    assert "<MsgType>text</MsgType>" in sim.callback_for("2").plain_xml


def test_render_vote_card_and_update() -> None:
    lines, card = render(
        {
            "api": "message/send",
            "body": {
                "msgtype": "template_card",
                "template_card": {
                    "card_type": "vote_interaction",
                    "task_id": "t9",
                    "main_title": {"title": "问题分类"},
                    "checkbox": {
                        "question_key": "cat",
                        "option_list": [{"id": "a", "text": "医疗"}],
                    },
                    "submit_button": {"text": "提交", "key": "submit_cat"},
                },
            },
        }
    )
    assert lines == ["【问题分类】", "（cat）", "  [1] 医疗"]
    assert card is not None and (card.task_id, card.submit_key, card.buttons) == (
        "t9",
        "submit_cat",
        [("医疗", "a")],
    )
    upd, _ = render(
        {"api": "message/update_template_card", "body": {"button": {"replace_name": "已提交"}}}
    )
    assert upd == ["【卡片已更新】已提交"]
