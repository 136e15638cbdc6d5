"""Real encrypted WeCom callbacks for tests (reused by every area's webhook tests).

Typical use with the Flask test client::

    wc = WecomTestClient.for_app(app)          # signs with the test corp's secrets
    add_cadre(session, "zhangsan"); session.commit()
    assert "帮助" in wc.say("zhangsan", "你好")  # posts, checks 200, returns reply text
    resp = wc.post(wc.signer.event("zhangsan", "enter_agent"))

``wc.signer`` builds any callback (text, image, location, voice, event,
card_click); ``wc.post`` sends it and returns the Flask response;
``wc.reply(resp)`` decrypts the passive reply. Each ``say``/``post`` moves the
callback clock one second forward, so events never collide by accident.

Also here: :func:`add_cadre` and :func:`serve_in_thread` (the app on a real port).
The fixtures (``app``, ``wc``, ``cadre``, ``fake``, ``clock``, ``api_runtime``) are in
tests/bot/conftest.py and apply to every test under tests/bot/; conversation
transcripts: tests/support/transcripts.py.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import BaseWSGIServer, make_server

from bot.devtools.callback_client import CallbackSigner, SignedCallback
from bot.wecom.crypto import CallbackCrypto
from storage.models import Cadre, Unit
from tests.support.config import TEST_AES_KEY, TEST_CORP_ID, TEST_TOKEN

TEST_AGENT_ID = 1000002


def make_signer(seed: int = 7) -> CallbackSigner:
    return CallbackSigner(
        crypto=CallbackCrypto(TEST_TOKEN, TEST_AES_KEY, TEST_CORP_ID),
        agent_id=TEST_AGENT_ID,
        rng=random.Random(seed),
    )


def add_cadre(
    session: Session,
    userid: str,
    name: str = "",
    unit: str = "测试村",
    role: str = "visitor",
    active: bool = True,
) -> Cadre:
    """Put a cadre (and their unit, if new) on the roster; the caller commits."""
    u = session.scalar(select(Unit).where(Unit.name == unit))
    if u is None:
        u = Unit(name=unit, kind="村")
        session.add(u)
        session.flush()
    cadre = Cadre(userid=userid, name=name or userid, unit_id=u.id, role=role, active=active)
    session.add(cadre)
    session.flush()
    return cadre


@dataclass
class WecomTestClient:
    client: FlaskClient
    signer: CallbackSigner

    @classmethod
    def for_app(cls, app: Flask, seed: int = 7) -> WecomTestClient:
        return cls(app.test_client(), make_signer(seed))

    def post(self, cb: SignedCallback, **kwargs: Any) -> Any:
        self.signer.now += 1
        return self.client.post(cb.path, data=cb.body, content_type="text/xml", **kwargs)

    def reply(self, resp: Any) -> str:
        return self.signer.reply_text(resp.get_data())

    def say(self, userid: str, text: str) -> str:
        resp = self.post(self.signer.text(userid, text))
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return self.reply(resp)


@dataclass
class LiveServer:
    url: str
    server: BaseWSGIServer

    def stop(self) -> None:
        self.server.shutdown()


@contextmanager
def serve_in_thread(app: Flask) -> Iterator[LiveServer]:
    """A real HTTP server for ``app`` on a free 127.0.0.1 port, for the test's duration."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", server)
    finally:
        server.shutdown()
        thread.join(timeout=5)
