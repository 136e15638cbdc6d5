"""The callback endpoint driven with real encrypted callbacks, as WeCom sends them."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.app import create_app
from bot.handlers import prompts, router
from bot.handlers.base import HandlerContext, HandlerReply, Incoming, UserState
from bot.runtime import Runtime
from storage.models import AuditLog, DialogSession, InboundMessage
from tests.support.wecom import WecomTestClient, add_cadre


def count(runtime: Runtime, model: type) -> int:
    with runtime.unit_of_work() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_url_verification_returns_decrypted_echostr(wc: WecomTestClient) -> None:
    resp = wc.client.get("/wecom/callback", query_string=wc.signer.verify_query("echo-12345"))
    assert resp.status_code == 200
    assert resp.get_data(as_text=True) == "echo-12345"


def test_url_verification_with_wrong_signature_is_403(wc: WecomTestClient) -> None:
    query = wc.signer.verify_query("echo")
    query["msg_signature"] = "0" * 40
    assert wc.client.get("/wecom/callback", query_string=query).status_code == 403


def test_help_gets_encrypted_signed_passive_reply(wc: WecomTestClient, cadre: str) -> None:
    resp = wc.post(wc.signer.text(cadre, "帮助"))
    assert resp.status_code == 200
    assert resp.mimetype == "application/xml"
    assert "帮助" not in resp.get_data(as_text=True)  # encrypted on the wire
    assert wc.reply(resp) == prompts.help_text()


def test_enter_agent_greets_by_name(wc: WecomTestClient, cadre: str) -> None:
    reply = wc.reply(wc.post(wc.signer.event(cadre, "enter_agent")))
    assert reply.startswith("您好，张三！")


def test_message_is_recorded_once_with_its_reply(
    wc: WecomTestClient, cadre: str, runtime: Runtime
) -> None:
    reply = wc.say(cadre, "随便说说")
    assert "没有听懂" in reply
    with runtime.unit_of_work() as s:
        rows = s.scalars(select(InboundMessage)).all()
        assert [(r.userid, r.msg_type, r.reply) for r in rows] == [(cadre, "text", reply)]
        assert s.scalar(select(DialogSession.userid)) == cadre


def test_replay_applies_once_and_returns_the_same_reply(
    wc: WecomTestClient, cadre: str, runtime: Runtime
) -> None:
    cb = wc.signer.text(cadre, "随便说说", msg_id="424242")
    first = wc.post(cb)
    second = wc.post(cb)  # WeCom's retry: byte-identical
    retry_signed_anew = wc.post(wc.signer.text(cadre, "另一句", msg_id="424242"))
    assert first.status_code == second.status_code == retry_signed_anew.status_code == 200
    assert wc.reply(first) == wc.reply(second) == wc.reply(retry_signed_anew)
    assert count(runtime, InboundMessage) == 1


def test_event_replay_deduplicates_on_user_time_event(
    wc: WecomTestClient, cadre: str, runtime: Runtime
) -> None:
    cb = wc.signer.event(cadre, "enter_agent")
    assert wc.reply(wc.post(cb)) == wc.reply(wc.post(cb))
    assert count(runtime, InboundMessage) == 1
    wc.post(wc.signer.event(cadre, "enter_agent"))  # a later entry: new CreateTime
    assert count(runtime, InboundMessage) == 2


def test_unknown_user_gets_polite_reply_and_only_an_audit_row(
    wc: WecomTestClient, runtime: Runtime
) -> None:
    assert wc.say("stranger", "你好") == prompts.UNKNOWN_USER
    assert count(runtime, AuditLog) == 1
    assert count(runtime, InboundMessage) == 0
    assert count(runtime, DialogSession) == 0


def test_inactive_cadre_is_treated_as_unknown(wc: WecomTestClient, runtime: Runtime) -> None:
    with runtime.unit_of_work() as s:
        add_cadre(s, "retired", active=False)
    assert wc.say("retired", "帮助") == prompts.UNKNOWN_USER


def test_unknown_message_type_gets_polite_reply(wc: WecomTestClient, cadre: str) -> None:
    assert wc.reply(wc.post(wc.signer.voice(cadre))) == prompts.UNKNOWN_TYPE


def test_unsubscribe_gets_empty_200(wc: WecomTestClient, cadre: str) -> None:
    resp = wc.post(wc.signer.event(cadre, "unsubscribe"))
    assert resp.status_code == 200
    assert resp.get_data() == b""


def test_healthz(app, wc: WecomTestClient) -> None:  # type: ignore[no-untyped-def]
    resp = wc.client.get("/healthz")
    assert (resp.status_code, resp.get_data(as_text=True)) == (200, "ok")


def test_one_log_line_per_callback_without_content(
    wc: WecomTestClient, cadre: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="minqing.webhook"):
        wc.say(cadre, "王大爷家的秘密问题")
    lines = [r.getMessage() for r in caplog.records if r.name == "minqing.webhook"]
    assert len(lines) == 1
    assert re.fullmatch(r"callback user=zhangsan type=text outcome=applied ms=\d+\.\d", lines[0])
    assert "秘密" not in caplog.text


class Boom:
    name = "boom"

    def matches(self, incoming: Incoming, user: UserState) -> bool:
        return incoming.content == "boom"

    def handle(
        self, session: Session, ctx: HandlerContext, incoming: Incoming, user: UserState
    ) -> HandlerReply:
        session.add(AuditLog(at=ctx.now, actor=incoming.userid, action="half-done", detail={}))
        session.flush()
        raise RuntimeError("handler bug")


def test_a_failing_handler_rolls_back_and_a_retry_can_apply(runtime: Runtime, cadre: str) -> None:
    handlers = [Boom(), *router.HANDLERS]
    app = create_app(runtime=runtime, handlers=handlers)
    wc = WecomTestClient.for_app(app)
    cb = wc.signer.text(cadre, "boom", msg_id="777")
    resp = wc.post(cb)
    assert resp.status_code == 500  # WeCom will retry
    assert "handler bug" not in resp.get_data(as_text=True)
    assert count(runtime, AuditLog) == count(runtime, InboundMessage) == 0
    fixed = WecomTestClient(create_app(runtime=runtime).test_client(), wc.signer)  # bug fixed
    assert "没有听懂" in fixed.reply(fixed.post(cb))
    assert count(runtime, InboundMessage) == 1
