"""Inbound de-duplication is per user and compares whole keys (issue 11, item 4)."""

from __future__ import annotations

from sqlalchemy import select

from bot.runtime import Runtime
from storage.models import InboundMessage
from tests.support.wecom import WecomTestClient, add_cadre


def inbound_rows(runtime: Runtime) -> list[tuple[str, str]]:
    with runtime.unit_of_work() as s:
        rows = s.scalars(select(InboundMessage).order_by(InboundMessage.id)).all()
        return [(r.userid, r.reply or "") for r in rows]


def test_a_msgid_reused_by_another_user_is_that_users_own_message(
    wc: WecomTestClient, runtime: Runtime
) -> None:
    with runtime.unit_of_work() as s:
        add_cadre(s, "hq004", name="李四")
        add_cadre(s, "hq001", name="王五")
    first = wc.reply(wc.post(wc.signer.text("hq004", "随便说说", msg_id="7300000000000001")))
    other = wc.reply(wc.post(wc.signer.text("hq001", "帮助", msg_id="7300000000000001")))
    assert "没有听懂" in first
    assert other != first and "没有听懂" not in other
    assert other == wc.say("hq001", "帮助")  # what hq001 gets for 帮助 with a fresh MsgId
    retry = wc.reply(wc.post(wc.signer.text("hq004", "随便说说", msg_id="7300000000000001")))
    assert retry == first  # a real WeCom retry still replays
    assert [u for u, _ in inbound_rows(runtime)] == ["hq004", "hq001", "hq001"]


def test_long_msgids_sharing_a_200_character_prefix_are_two_messages(
    wc: WecomTestClient, cadre: str, runtime: Runtime
) -> None:
    prefix = "9" * 200
    first = wc.reply(wc.post(wc.signer.text(cadre, "随便说说", msg_id=prefix + "1")))
    second = wc.reply(wc.post(wc.signer.text(cadre, "帮助", msg_id=prefix + "2")))
    assert "没有听懂" in first and second != first
    assert len(inbound_rows(runtime)) == 2
    with runtime.unit_of_work() as s:
        keys = s.scalars(select(InboundMessage.dedupe_key)).all()
    assert all(len(k) == 64 for k in keys)  # SHA-256 hex of the whole key
