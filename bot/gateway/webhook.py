"""The WeCom callback endpoint: the only module that reads flask.request for callbacks.

``GET /wecom/callback`` answers WeCom's URL verification with the decrypted echostr.
``POST /wecom/callback`` caps the body, checks the signature, decrypts, parses,
applies the message once (:func:`bot.gateway.apply.apply_callback`) and answers with the signed,
encrypted passive reply, or an empty 200 when there is nothing to say.

Refusals carry no detail and no stack trace: 400 for bad input (oversized body,
missing parameters, not XML, DOCTYPE/entities), 403 for a bad signature or a
ciphertext that does not decrypt for our CorpID. Nothing is written for either.
One log line per callback: user, message type, outcome, milliseconds; never content.
Each POST also counts once in :mod:`bot.gateway.metrics` (outcome and latency).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, request

from bot.gateway.apply import apply_callback
from bot.gateway.metrics import callback_metrics
from bot.handlers.router import Handler
from bot.runtime import Runtime
from bot.wecom.crypto import CallbackCrypto
from bot.wecom.parser import CallbackError, parse_message
from bot.wecom.replies import reply_text_xml

log = logging.getLogger("minqing.webhook")
bp = Blueprint("wecom", __name__)
EXTENSION = "minqing.gateway"


@dataclass(frozen=True)
class Gateway:
    """What the blueprint needs, attached to the app by ``create_app``."""

    runtime: Runtime
    crypto: CallbackCrypto
    handlers: Sequence[Handler] | None = None

    @classmethod
    def from_runtime(cls, runtime: Runtime, handlers: Sequence[Handler] | None = None) -> Gateway:
        w = runtime.config.wecom
        return cls(runtime, CallbackCrypto(w.token, w.encoding_aes_key, w.corp_id), handlers)


def _gateway() -> Gateway:
    gw: Gateway = current_app.extensions[EXTENSION]
    return gw


def _params(*names: str) -> list[str]:
    values = [request.args.get(n, "") for n in names]
    if not all(values):
        raise CallbackError(400, "missing query parameters")
    return values


def _body(limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise CallbackError(400, "body too large")
    try:
        body = request.stream.read(limit + 1)
    except OSError:
        # The client went away mid-body, or the slow-client deadline cut it (gunicorn's
        # NoMoreData is an OSError too): a refusal, not a server error with a traceback.
        raise CallbackError(400, "client disconnected before the body was read") from None
    if len(body) > limit:
        raise CallbackError(400, "body too large")
    return body


@bp.errorhandler(CallbackError)
def _refuse(exc: CallbackError) -> Response:
    log.info("callback refused status=%s reason=%s", exc.status, exc.reason)
    return Response(
        "forbidden" if exc.status == 403 else "bad request", exc.status, mimetype="text/plain"
    )


@bp.get("/wecom/callback")
def verify_url() -> Response:
    signature, timestamp, nonce, echostr = _params("msg_signature", "timestamp", "nonce", "echostr")
    echo = _gateway().crypto.verify_url(signature, timestamp, nonce, echostr)
    return Response(echo, 200, mimetype="text/plain")


@bp.post("/wecom/callback")
def callback() -> Response:
    started = time.perf_counter()
    metrics = callback_metrics()
    try:
        response, outcome = _callback(started)
    except CallbackError as exc:
        metrics.observe("forbidden" if exc.status == 403 else "bad_request", _since(started))
        raise
    except Exception:
        metrics.observe("error", _since(started))
        raise
    metrics.observe(outcome, _since(started))
    return response


def _since(started: float) -> float:
    return time.perf_counter() - started


def _callback(started: float) -> tuple[Response, str]:
    """The callback proper; returns the response and its outcome word."""
    gw = _gateway()
    body = _body(gw.runtime.config.server.max_body_bytes)
    signature, timestamp, nonce = _params("msg_signature", "timestamp", "nonce")
    incoming = parse_message(gw.crypto.decrypt_callback(body, signature, timestamp, nonce))
    applied = apply_callback(gw.runtime, incoming, gw.handlers)
    elapsed = _since(started) * 1000
    kind = incoming.msg_type if not incoming.event else f"event:{incoming.event}"
    log.info(
        "callback user=%s type=%s outcome=%s ms=%.1f",
        incoming.userid,
        kind,
        applied.outcome,
        elapsed,
        # Structured copies for JSON log lines (bot.logsafe.JsonLineFormatter).
        extra={
            "fields": {
                "event": "callback",
                "user": incoming.userid,
                "type": kind,
                "outcome": applied.outcome,
                "ms": round(elapsed, 1),
            }
        },
    )
    if not applied.reply:
        return Response("", 200, mimetype="text/plain"), applied.outcome
    now = int(gw.runtime.clock().timestamp())
    plain = reply_text_xml(incoming.userid, gw.crypto.corp_id, applied.reply, now)
    envelope = gw.crypto.encrypt_reply(plain, str(now), secrets.token_hex(8))
    return Response(envelope, 200, mimetype="application/xml"), applied.outcome
