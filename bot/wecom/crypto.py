"""WeCom callback crypto: the signature check and AES, the only module that imports wechatpy.

In: a callback's query parameters and encrypted body. Out: the decrypted inner XML
text, or a :class:`~bot.wecom.parser.CallbackError` (403 bad signature or ciphertext).
The other way, :meth:`CallbackCrypto.encrypt_reply` signs and encrypts a passive reply.

wechatpy 1.8.18 (``wechatpy.enterprise``) does the AES part. Its unpadder takes the
last byte as the pad length without a 16-byte limit, so Tencent's 32-byte PKCS#7
blocks (pad bytes up to 32) decrypt correctly; it checks the receive id (CorpID).
What it gets wrong we do here: the signature is compared in constant time and any
malformed ciphertext becomes a 403 instead of a stack trace.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from dataclasses import dataclass

from wechatpy.enterprise.crypto import PrpCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as _WeChatCrypto

from bot.wecom.parser import CallbackError, parse_xml

REPLY_TEMPLATE = (
    "<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt>"
    "<MsgSignature><![CDATA[{signature}]]></MsgSignature>"
    "<TimeStamp>{timestamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>"
)


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """WeCom's msg_signature: SHA1 of the four strings sorted and concatenated."""
    parts = sorted([token, timestamp, nonce, encrypted])
    return hashlib.sha1("".join(parts).encode("utf-8")).hexdigest()


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
