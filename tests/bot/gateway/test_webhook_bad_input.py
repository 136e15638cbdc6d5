"""Every class of bad callback is refused with 400/403, no stack trace, nothing written."""

from __future__ import annotations

import time

import flask
import pytest
from flask import Flask
from sqlalchemy import func, select

from bot.devtools.callback_client import SignedCallback
from bot.gateway import webhook
from bot.runtime import Runtime
from bot.wecom.crypto import signature
from bot.wecom.parser import CallbackError
from storage.models import AuditLog, DialogSession, InboundMessage
from tests.support.wecom import WecomTestClient

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]><xml><Encrypt>&lol9;</Encrypt></xml>"
)
XXE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>'


def nothing_written(runtime: Runtime) -> bool:
    with runtime.unit_of_work() as s:
        return all(
            s.scalar(select(func.count()).select_from(m)) == 0
            for m in (InboundMessage, DialogSession, AuditLog)
        )


def signed_raw(wc: WecomTestClient, body: str) -> SignedCallback:
    """A body signed as if its Encrypt text were genuine, so only the XML is at fault."""
    query = {"timestamp": "1700000000", "nonce": "123", "msg_signature": "x" * 40}
    return SignedCallback(query=query, body=body.encode(), plain_xml="")


def assert_refused(resp, status: int) -> None:  # type: ignore[no-untyped-def]
    assert resp.status_code == status
    body = resp.get_data(as_text=True)
    assert "Traceback" not in body and len(body) < 100


def test_bad_signature_is_403_and_writes_nothing(
    wc: WecomTestClient, cadre: str, runtime: Runtime
) -> None:
    cb = wc.signer.text(cadre, "帮助")
    cb.query["msg_signature"] = signature(
        "wrong-token", cb.query["timestamp"], cb.query["nonce"], "x"
    )
    assert_refused(wc.post(cb), 403)
    cb.query["msg_signature"] = wc.signer.text(cadre, "帮助").query["msg_signature"]  # other nonce
    assert_refused(wc.post(cb), 403)
    with runtime.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(InboundMessage)) == 0
        assert s.scalar(select(func.count()).select_from(DialogSession)) == 0


def test_tampered_body_is_403(wc: WecomTestClient, cadre: str, runtime: Runtime) -> None:
    cb = wc.signer.text(cadre, "帮助")
    tampered = SignedCallback(
        cb.query, cb.body.replace(b"<Encrypt><![CDATA[", b"<Encrypt><![CDATA[A"), ""
    )
    assert_refused(wc.post(tampered), 403)
    assert nothing_written(runtime)


@pytest.mark.parametrize(
    "body",
    ["this is not xml", "<xml><Encrypt>", "", "<xml></xml>", XXE, BILLION_LAUGHS],
    ids=["text", "truncated", "empty", "no-encrypt", "xxe", "billion-laughs"],
)
def test_bad_xml_is_400(wc: WecomTestClient, runtime: Runtime, body: str) -> None:
    assert_refused(wc.post(signed_raw(wc, body)), 400)
    assert nothing_written(runtime)


def test_doctype_inside_the_encrypted_message_is_400(
    wc: WecomTestClient, cadre: str, runtime: Runtime
) -> None:
    inner = BILLION_LAUGHS.replace(
        "<Encrypt>&lol9;</Encrypt>", "<FromUserName>zhangsan</FromUserName>"
    )
    started = time.perf_counter()
    resp = wc.post(wc.signer.sign(inner))
    assert_refused(resp, 400)
    assert time.perf_counter() - started < 2  # sanity only: entities were never expanded
    assert nothing_written(runtime)


def test_billion_laughs_is_refused_quickly(wc: WecomTestClient) -> None:
    started = time.perf_counter()
    resp = wc.post(signed_raw(wc, BILLION_LAUGHS * 50))
    assert_refused(resp, 400)
    assert time.perf_counter() - started < 2


def test_body_over_64kb_is_400_before_parsing(
    wc: WecomTestClient, cadre: str, runtime: Runtime
) -> None:
    big = wc.signer.text(cadre, "长" * 30_000)  # a genuine, correctly signed message
    assert len(big.body) > 64 * 1024
    assert_refused(wc.post(big), 400)
    assert nothing_written(runtime)
    under = wc.signer.text(cadre, "短" * 1000)
    assert wc.post(under).status_code == 200


@pytest.mark.parametrize("drop", ["msg_signature", "timestamp", "nonce"])
def test_missing_query_parameter_is_400(
    wc: WecomTestClient, cadre: str, runtime: Runtime, drop: str
) -> None:
    cb = wc.signer.text(cadre, "帮助")
    del cb.query[drop]
    assert_refused(wc.post(cb), 400)
    assert nothing_written(runtime)


def test_verification_without_echostr_is_400(wc: WecomTestClient) -> None:
    query = wc.signer.verify_query("e")
    del query["echostr"]
    assert_refused(wc.client.get("/wecom/callback", query_string=query), 400)


def test_a_userid_longer_than_wecom_allows_is_400_and_writes_nothing(
    wc: WecomTestClient, runtime: Runtime
) -> None:
    """PostgreSQL's varchar(64) overflowed into a 500 before (found by issue 11's review)."""
    assert_refused(wc.post(wc.signer.text("u" * 65, "帮助")), 400)
    assert nothing_written(runtime)
    assert wc.post(wc.signer.text("u" * 64, "帮助")).status_code == 200


class _ResetStream:
    """A request body whose client hangs up part way (what a cut slow client looks like
    under gunicorn: the socket read raises)."""

    def read(self, *_: object) -> bytes:
        raise ConnectionResetError(104, "Connection reset by peer")


def test_a_client_that_hangs_up_mid_body_is_a_refusal_not_a_server_error(app: Flask) -> None:
    """Under gunicorn the body's socket read raises when a slow client is cut; that was an
    unhandled exception with a traceback in the log (seen by tests/bot/gateway/test_slow_clients)."""
    with app.test_request_context("/wecom/callback", method="POST", data=b"<xml/>"):
        flask.request._get_current_object().__dict__["stream"] = _ResetStream()  # type: ignore[attr-defined]
        with pytest.raises(CallbackError) as refused:
            webhook._body(1024)
    assert refused.value.status == 400
