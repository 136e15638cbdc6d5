"""Callback crypto against an independent AES implementation of Tencent's scheme."""

from __future__ import annotations

import base64
import os
import struct

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.wecom.crypto import CallbackCrypto, signature
from bot.wecom.parser import CallbackError, parse_message
from tests.support.config import TEST_AES_KEY, TEST_CORP_ID, TEST_TOKEN

CRYPTO = CallbackCrypto(TEST_TOKEN, TEST_AES_KEY, TEST_CORP_ID)


def tencent_encrypt(message: bytes, receive_id: str = TEST_CORP_ID) -> tuple[str, int]:
    """Encrypt as Tencent documents it: 32-byte PKCS#7. Returns (base64, pad byte)."""
    key = base64.b64decode(TEST_AES_KEY + "=")
    plain = os.urandom(16) + struct.pack(">I", len(message)) + message + receive_id.encode()
    pad = 32 - len(plain) % 32
    plain += bytes([pad]) * pad
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(enc.update(plain) + enc.finalize()).decode(), pad


@pytest.mark.parametrize("extra", range(32))
def test_every_pad_length_up_to_32_decrypts(extra: int) -> None:
    message = ("<xml>" + "x" * extra + "</xml>").encode()
    encrypted, pad = tencent_encrypt(message)
    sig = signature(TEST_TOKEN, "1700000000", "nonce", encrypted)
    assert CRYPTO.verify_url(sig, "1700000000", "nonce", encrypted) == message.decode()


def test_a_pad_byte_above_16_is_covered() -> None:
    pads = {tencent_encrypt(("<xml>" + "x" * n + "</xml>").encode())[1] for n in range(32)}
    assert pads == set(range(1, 33))


def test_other_receive_id_is_refused() -> None:
    encrypted, _ = tencent_encrypt(b"<xml/>", receive_id="wwsomeoneelse")
    sig = signature(TEST_TOKEN, "1", "n", encrypted)
    with pytest.raises(CallbackError) as err:
        CRYPTO.verify_url(sig, "1", "n", encrypted)
    assert err.value.status == 403


def test_garbage_ciphertext_with_valid_signature_is_403_not_a_crash() -> None:
    for junk in [
        "",
        "!!!notbase64",
        base64.b64encode(b"short").decode(),
        base64.b64encode(b"\0" * 64).decode(),
    ]:
        sig = signature(TEST_TOKEN, "1", "n", junk)
        with pytest.raises(CallbackError) as err:
            CRYPTO.verify_url(sig, "1", "n", junk)
        assert err.value.status == 403


def test_our_replies_round_trip_and_use_32_byte_blocks() -> None:
    envelope = CRYPTO.encrypt_reply("<xml><Content>好</Content></xml>", "1700000000", "abc")
    assert CRYPTO.decrypt_reply(envelope) == "<xml><Content>好</Content></xml>"
    raw = base64.b64decode(CRYPTO.encrypt("y" * 7))
    assert len(raw) % 32 == 0


def test_parse_template_card_event() -> None:
    xml = (
        "<xml><ToUserName>c</ToUserName><FromUserName>zhangsan</FromUserName>"
        "<CreateTime>1700000001</CreateTime><MsgType>event</MsgType>"
        "<Event>template_card_event</Event><EventKey>btn_yes</EventKey><TaskId>task-9</TaskId>"
        "<CardType>vote_interaction</CardType><ResponseCode>rc-1</ResponseCode><AgentID>5</AgentID>"
        "<SelectedItems><SelectedItem><QuestionKey>q1</QuestionKey><OptionIds>"
        "<OptionId>o1</OptionId><OptionId>o2</OptionId></OptionIds></SelectedItem></SelectedItems></xml>"
    )
    msg = parse_message(xml)
    assert (msg.userid, msg.msg_type, msg.event, msg.event_key, msg.task_id) == (
        "zhangsan",
        "event",
        "template_card_event",
        "btn_yes",
        "task-9",
    )
    assert (msg.card_type, msg.response_code, msg.selected, msg.agent_id) == (
        "vote_interaction",
        "rc-1",
        ("o1", "o2"),
        5,
    )
    assert msg.dedupe_key == (
        'evt:["zhangsan", 1700000001, "template_card_event", "btn_yes", "task-9"]'
    )


def test_parse_location_image_and_unknown() -> None:
    head = "<xml><FromUserName>u</FromUserName><CreateTime>3</CreateTime><MsgId>9</MsgId>"
    loc = parse_message(
        head + "<MsgType>location</MsgType><Location_X>28.1</Location_X>"
        "<Location_Y>113.2</Location_Y><Label>村口</Label></xml>"
    )
    assert (loc.latitude, loc.longitude, loc.label) == (28.1, 113.2, "村口")
    img = parse_message(
        head + "<MsgType>image</MsgType><MediaId>m1</MediaId><PicUrl>http://p</PicUrl></xml>"
    )
    assert (img.msg_type, img.media_id, img.pic_url, img.dedupe_key) == (
        "image",
        "m1",
        "http://p",
        'msg:["u", "9"]',
    )
    assert parse_message(head + "<MsgType>video</MsgType></xml>").msg_type == "unknown"
    ev = parse_message(
        head + "<MsgType>event</MsgType><Event>LOCATION</Event>"
        "<Latitude>1.5</Latitude><Longitude>2.5</Longitude></xml>"
    )
    assert (ev.event, ev.latitude, ev.longitude) == ("location", 1.5, 2.5)
