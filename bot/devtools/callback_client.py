"""Signed, encrypted callbacks exactly as WeCom sends them, for the simulator, tests
and benchmarks; and the passive reply read back.

A :class:`CallbackSigner` turns "user X typed Y" into a :class:`SignedCallback`
(query string with a real msg_signature, random nonce, and the encrypted body
envelope), and reads the encrypted passive reply back into plain text.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from bot.devtools import callback_xml as cx
from bot.wecom.crypto import CallbackCrypto
from bot.wecom.parser import parse_xml

CALLBACK_PATH = "/wecom/callback"


@dataclass(frozen=True)
class SignedCallback:
    """One POST as WeCom would make it."""

    query: dict[str, str]
    body: bytes
    plain_xml: str

    @property
    def path(self) -> str:
        return f"{CALLBACK_PATH}?{urlencode(self.query)}"


@dataclass
class CallbackSigner:
    """Encrypts and signs callbacks for one corp; ``rng`` supplies nonces and MsgIds."""

    crypto: CallbackCrypto
    agent_id: int = 0
    rng: random.Random = field(default_factory=random.Random)
    now: int = 1_700_000_000  # CreateTime / timestamp; tests advance it, the simulator sets it

    def _msg_id(self) -> str:
        return str(self.rng.randrange(10**18, 10**19))

    def sign(self, plain_xml: str, timestamp: int | None = None) -> SignedCallback:
        ts = str(timestamp if timestamp is not None else self.now)
        nonce = str(self.rng.randrange(10**9, 10**10))
        envelope = self.crypto.envelope(plain_xml, ts, nonce)
        env = parse_xml(envelope)
        query = {
            "msg_signature": env.findtext("MsgSignature") or "",
            "timestamp": ts,
            "nonce": nonce,
        }
        outer = (
            f"<xml><ToUserName><![CDATA[{self.crypto.corp_id}]]></ToUserName>"
            f"<AgentID><![CDATA[{self.agent_id}]]></AgentID>"
            f"<Encrypt><![CDATA[{env.findtext('Encrypt')}]]></Encrypt></xml>"
        )
        return SignedCallback(query=query, body=outer.encode("utf-8"), plain_xml=plain_xml)

    def verify_query(self, echo: str) -> dict[str, str]:
        """Query string of a URL-verification GET whose echostr decrypts to ``echo``."""
        ts, nonce = str(self.now), str(self.rng.randrange(10**9, 10**10))
        env = parse_xml(self.crypto.envelope(echo, ts, nonce))
        return {
            "msg_signature": env.findtext("MsgSignature") or "",
            "timestamp": ts,
            "nonce": nonce,
            "echostr": env.findtext("Encrypt") or "",
        }

    def text(self, userid: str, content: str, msg_id: str | None = None) -> SignedCallback:
        c = self.crypto.corp_id
        return self.sign(
            cx.text_xml(c, userid, content, msg_id or self._msg_id(), self.now, self.agent_id)
        )

    def image(self, userid: str, media_id: str, msg_id: str | None = None) -> SignedCallback:
        c = self.crypto.corp_id
        return self.sign(
            cx.image_xml(c, userid, media_id, msg_id or self._msg_id(), self.now, self.agent_id)
        )

    def location(self, userid: str, lat: float, lon: float, label: str = "") -> SignedCallback:
        c = self.crypto.corp_id
        return self.sign(
            cx.location_xml(c, userid, lat, lon, self._msg_id(), self.now, self.agent_id, label)
        )

    def voice(self, userid: str, media_id: str = "voice-1") -> SignedCallback:
        c = self.crypto.corp_id
        return self.sign(cx.voice_xml(c, userid, media_id, self._msg_id(), self.now, self.agent_id))

    def event(self, userid: str, event: str, event_key: str = "") -> SignedCallback:
        c = self.crypto.corp_id
        return self.sign(cx.event_xml(c, userid, event, self.now, self.agent_id, event_key))

    def card_click(
        self,
        userid: str,
        event_key: str,
        task_id: str,
        response_code: str = "",
        selected: Sequence[str] = (),
        card_type: str = "button_interaction",
    ) -> SignedCallback:
        code = response_code or f"rc-{self.rng.randrange(10**12)}"
        return self.sign(
            cx.card_click_xml(
                self.crypto.corp_id,
                userid,
                event_key,
                task_id,
                self.now,
                self.agent_id,
                card_type=card_type,
                response_code=code,
                selected=selected,
            )
        )

    def reply_text(self, body: bytes | str) -> str:
        """Decrypt a passive reply and return its Content ('' for an empty 200)."""
        if not body or not body.strip():
            return ""
        plain = self.crypto.decrypt_reply(body)
        return parse_xml(plain.encode("utf-8")).findtext("Content") or ""
