"""WeCom callback crypto and XML parsing: the only module that imports wechatpy.

In: the raw query parameters and body of a callback. Out: an
:class:`~bot.handlers.base.Incoming`, or a :class:`CallbackError` whose ``status``
(400 or 403) the webhook answers with. The other way: :meth:`CallbackCrypto.encrypt_reply`
turns a reply text into the signed, encrypted passive-reply envelope.

wechatpy 1.8.18 (``wechatpy.enterprise``) does the AES part. Its unpadder takes the
last byte as the pad length without a 16-byte limit, so Tencent's 32-byte PKCS#7
blocks (pad bytes up to 32) decrypt correctly; it checks the receive id (CorpID).
What it gets wrong we do here: the signature is compared in constant time, any
malformed ciphertext becomes a 403 instead of a stack trace, and XML is parsed with
defusedxml (no DOCTYPE, no entities) instead of xmltodict.

The API client lives in :mod:`bot.wecom_api` (plain ``requests``: wechatpy's client
has no timeouts, a hard-coded base URL and a recursive token retry).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from dataclasses import dataclass, replace
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException
from wechatpy.enterprise.crypto import PrpCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as _WeChatCrypto

from bot.handlers.base import Incoming

REPLY_TEMPLATE = (
    "<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt>"
    "<MsgSignature><![CDATA[{signature}]]></MsgSignature>"
    "<TimeStamp>{timestamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>"
)


MAX_USERID = 64


class CallbackError(Exception):
    """A callback we refuse: ``status`` is the HTTP answer (400 bad input, 403 bad signature)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """WeCom's msg_signature: SHA1 of the four strings sorted and concatenated."""
    parts = sorted([token, timestamp, nonce, encrypted])
    return hashlib.sha1("".join(parts).encode("utf-8")).hexdigest()


def parse_xml(data: bytes | str) -> Element:
    """Parse untrusted XML; DOCTYPE, entities and malformed input raise CallbackError(400)."""
    try:
        return safe_xml.fromstring(data, forbid_dtd=True, forbid_entities=True)
    except (DefusedXmlException, ParseError, ValueError) as exc:
        raise CallbackError(400, f"bad xml: {type(exc).__name__}") from None


@dataclass(frozen=True)
class CallbackCrypto:
    """The app's callback secrets: token, EncodingAESKey (43 chars) and CorpID."""

    token: str
    encoding_aes_key: str
    corp_id: str

    @functools.cached_property
    def _key(self) -> bytes:
        """The AES key, decoded once per process (not per callback)."""
        return bytes(_WeChatCrypto(self.token, self.encoding_aes_key, self.corp_id).key)

    def _check(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        expected = signature(self.token, timestamp, nonce, encrypted)
        if not hmac.compare_digest(expected.encode(), msg_signature.encode("utf-8", "replace")):
            raise CallbackError(403, "bad signature")

    def _decrypt(self, encrypted: str) -> str:
        try:
            return str(PrpCrypto(self._key).decrypt(encrypted, self.corp_id))
        except Exception as exc:  # wrong receive id, bad base64, bad padding, bad length
            raise CallbackError(403, f"cannot decrypt: {type(exc).__name__}") from None

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """URL verification (GET): check the signature and return the decrypted echostr."""
        self._check(msg_signature, timestamp, nonce, echostr)
        return self._decrypt(echostr)

    def decrypt_callback(self, body: bytes, msg_signature: str, timestamp: str, nonce: str) -> str:
        """POST body envelope → the decrypted inner XML text (not yet parsed)."""
        envelope = parse_xml(body)
        encrypted = envelope.findtext("Encrypt")
        if not encrypted:
            raise CallbackError(400, "no Encrypt element")
        self._check(msg_signature, timestamp, nonce, encrypted)
        return self._decrypt(encrypted)

    def encrypt(self, plain: str) -> str:
        """Encrypt a plain XML text (random 16-byte prefix, 32-byte PKCS#7) → base64 str."""
        return PrpCrypto(self._key).encrypt(plain, self.corp_id).decode("ascii")

    def envelope(self, plain: str, timestamp: str, nonce: str) -> str:
        """The signed envelope WeCom uses both ways: Encrypt, MsgSignature, TimeStamp, Nonce."""
        encrypted = self.encrypt(plain)
        sig = signature(self.token, timestamp, nonce, encrypted)
        return REPLY_TEMPLATE.format(
            encrypt=encrypted, signature=sig, timestamp=timestamp, nonce=nonce
        )

    def encrypt_reply(self, plain_xml: str, timestamp: str, nonce: str) -> str:
        """The passive reply: plain reply XML → signed, encrypted envelope."""
        return self.envelope(plain_xml, timestamp, nonce)

    def decrypt_reply(self, envelope_xml: bytes | str) -> str:
        """The other side (tests, simulator): check a passive reply's signature and decrypt it."""
        env = parse_xml(envelope_xml)
        encrypted = env.findtext("Encrypt") or ""
        self._check(
            env.findtext("MsgSignature") or "",
            env.findtext("TimeStamp") or "",
            env.findtext("Nonce") or "",
            encrypted,
        )
        return self._decrypt(encrypted)


def _text(root: Element, tag: str) -> str:
    return (root.findtext(tag) or "").strip()


def _float(root: Element, tag: str) -> float | None:
    try:
        return float(_text(root, tag))
    except ValueError:
        return None


def _int(root: Element, tag: str) -> int:
    try:
        return int(_text(root, tag))
    except ValueError:
        return 0


def parse_message(plain_xml: str) -> Incoming:
    """Decrypted callback XML → Incoming. Unknown types parse to msg_type ``unknown``."""
    root = parse_xml(plain_xml.encode("utf-8"))
    userid = _text(root, "FromUserName")
    if not userid:
        raise CallbackError(400, "no FromUserName")
    if len(userid) > MAX_USERID:  # WeCom userids are 1-64 characters; the column is too
        raise CallbackError(400, "FromUserName too long")
    msg_type = _text(root, "MsgType").lower()
    base = Incoming(
        userid=userid,
        msg_type="unknown",
        create_time=_int(root, "CreateTime"),
        msg_id=_text(root, "MsgId"),
        agent_id=_int(root, "AgentID"),
    )
    if msg_type == "text":
        return replace(base, msg_type="text", content=root.findtext("Content") or "")
    if msg_type == "image":
        return replace(
            base,
            msg_type="image",
            media_id=_text(root, "MediaId"),
            pic_url=_text(root, "PicUrl"),
        )
    if msg_type == "location":
        return replace(
            base,
            msg_type="location",
            latitude=_float(root, "Location_X"),
            longitude=_float(root, "Location_Y"),
            label=_text(root, "Label"),
        )
    if msg_type == "event":
        return _parse_event(root, base)
    return base


def _parse_event(root: Element, base: Incoming) -> Incoming:
    event = _text(root, "Event").lower()
    if event == "location":
        return replace(
            base,
            msg_type="event",
            event="location",
            latitude=_float(root, "Latitude"),
            longitude=_float(root, "Longitude"),
        )
    if event == "template_card_event":
        selected = tuple(
            (opt.text or "").strip()
            for opt in root.iterfind("SelectedItems/SelectedItem/OptionIds/OptionId")
        )
        return replace(
            base,
            msg_type="event",
            event="template_card_event",
            event_key=_text(root, "EventKey"),
            task_id=_text(root, "TaskId"),
            response_code=_text(root, "ResponseCode"),
            selected=selected,
            card_type=_text(root, "CardType"),
        )
    return replace(base, msg_type="event", event=event, event_key=_text(root, "EventKey"))
