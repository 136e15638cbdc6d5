"""A local stand-in for the WeCom server API, for the demo, the simulator and tests.

Serves ``/cgi-bin/`` gettoken, message/send, message/update_template_card,
appchat/create, appchat/send, menu/create, media/upload, media/get and webhook/send
(group robot), records every call in memory (one process: run it with threads, not
workers), and answers like WeCom (``errcode``/``errmsg``). Control endpoints:

- ``GET /fake/messages?touser=U&since=SEQ`` → calls that reach user U (JSON list);
  ``?chat=ID`` → what reached group chat ID (an appchat id or a robot key);
  neither → every call. Each record has ``seq``, ``api``, ``body``, ``to`` and,
  for an image or file message, ``media_size`` (bytes); for a file message,
  ``media_name`` (the uploaded file name).
- ``GET /fake/stats`` → ``{"gettoken": n, "calls": n, "deliveries": n,
  "duplicates": n, "repeated": n, "faults": {kind: n}}``: a ``message/send`` with
  ``enable_duplicate_check`` that repeats one delivered within its
  ``duplicate_check_interval`` (same recipients, agent and content) is answered ok
  and not delivered again, like WeCom does (``duplicates`` counts those);
  ``repeated`` counts deliveries of a message already delivered; ``faults`` the
  random faults injected.
- ``GET /fake/deliveries`` → ``{"distinct": n, "delivered": n, "repeats": {key: n}}``:
  every message delivered more than once, with its count.
- ``POST /fake/control`` with ``{"errcode": 45009, "count": 3}`` (next 3 API calls
  fail with that errcode), ``{"delay_seconds": 2, "count": 1}`` (answer late,
  nothing done until then), ``{"slow_answer_seconds": 4, "count": 1}`` (deliver
  at once, answer late: a client that times out does not know it was delivered),
  ``{"expire_tokens": true}`` (every issued token becomes invalid: 42001), or
  ``{"reset": true}``.

Web authorization (the /m/ pages' login): ``GET /connect/oauth2/authorize`` answers
like WeCom's in-app browser, redirecting to ``redirect_uri?code=CODE&state=STATE``
for the user "logged into WeCom": the ``userid`` query parameter, else the one set by
``GET /fake/login?userid=U&next=URL`` (a cookie, then a redirect to ``next``), else
``{"oauth_user": "U"}`` sent to ``/fake/control``; with none it shows a form asking
for one. ``GET /cgi-bin/auth/getuserinfo?code=CODE`` turns a code into its userid,
once (40029 for an unknown or used code).

``create_fake_app(secret=...)`` makes gettoken refuse any other corpsecret (40001).

Random faults (:class:`Faults`, seeded: ``minqing fake-wecom --failure-rate 0.1
--timeout-rate 0.03 --seed 7``, or ``start_in_thread(faults=...)``) hit the POST
APIs: a *failure* answers errcode -1 "system busy" or HTTP 500 and does nothing; a
*timeout* does the work, then answers only after ``timeout_seconds`` (set it above
the client's timeout: the client cannot know the message went out). Every
delivery is counted by its content (``GET /fake/deliveries``), so a message that
reached WeCom twice shows up however it got there.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.serving import BaseWSGIServer, make_server

from bot.devtools import fake_control
from bot.devtools.fake_state import (
    BUSY,
    OK,
    FakeState,
    Faults,
    recipients,
    token_error,
)
from bot.wecom import redact

__all__ = ["Faults", "FakeState", "RunningFake", "create_fake_app", "start_in_thread"]


def create_fake_app(
    secret: str | None = None, state: FakeState | None = None, faults: Faults | None = None
) -> Flask:
    st = state or FakeState(secret=secret, faults=faults or Faults())
    app = Flask(__name__)
    app.extensions["fakewecom"] = st

    @app.get("/cgi-bin/gettoken")
    def gettoken() -> Response:
        with st.lock:
            st.gettoken_calls += 1
            if st.secret is not None and request.args.get("corpsecret") != st.secret:
                return jsonify({"errcode": 40001, "errmsg": "invalid credential"})
            token = f"fake-token-{st.gettoken_calls}"
            st.tokens.add(token)
        return jsonify({**OK, "access_token": token, "expires_in": 7200})

    def random_failure(fault: str) -> Response | None:
        if fault == "busy":
            return jsonify(BUSY)
        if fault == "http500":
            return Response("injected failure (fake wecom)", 500, mimetype="text/plain")
        return None

    @app.post("/cgi-bin/<path:api>")
    def api_post(api: str) -> Response:
        if api == "webhook/send":
            failure = st.injected_failure()
            if failure:
                return jsonify(failure)
            fault = st.draw_fault()
            failed = random_failure(fault)
            if failed is not None:
                return failed
            body = request.get_json(force=True, silent=True) or {}
            st.record(api, body, [f"robot:{request.args.get('key', '')}"])
            st.slow_answer(fault)
            return jsonify(OK)
        bad = token_error(st) or st.injected_failure()
        if bad:
            return jsonify(bad)
        fault = st.draw_fault()
        failed = random_failure(fault)
        if failed is not None:
            return failed
        if api == "media/upload":
            upload = request.files.get("media")
            content = upload.read() if upload else b""
            media_id = "media-" + hashlib.sha1(content).hexdigest()[:16]
            name = (upload.filename if upload else "") or ""
            with st.lock:
                st.media[media_id] = content
                st.media_names[media_id] = name
            st.record(
                api,
                {"type": request.args.get("type", ""), "filename": name, "size": len(content)},
                [],
            )
            return jsonify({**OK, "type": request.args.get("type", ""), "media_id": media_id})
        if api not in (
            "message/send",
            "message/update_template_card",
            "appchat/create",
            "appchat/send",
            "menu/create",
        ):
            return jsonify({"errcode": 60011, "errmsg": f"fake wecom does not implement {api}"})
        body = request.get_json(force=True, silent=True) or {}
        answer: dict[str, Any] = dict(OK)
        if api == "message/send" and st.is_duplicate(body):
            st.slow_answer(fault)
            return jsonify({**answer, "invaliduser": "", "msgid": "duplicate"})
        st.record(api, body, recipients(api, body))
        if api == "message/send":
            answer.update(invaliduser="", msgid=f"msg{len(st.records)}")
        if api == "appchat/create":
            answer["chatid"] = body.get("chatid") or f"chat{len(st.records)}"
        st.slow_answer(fault)
        return jsonify(answer)

    @app.get("/cgi-bin/media/get")
    def media_get() -> Response:
        bad = token_error(st) or st.injected_failure()
        if bad:
            return jsonify(bad)
        media_id = request.args.get("media_id", "")
        content = st.media.get(media_id) or fake_jpeg(media_id)
        return Response(content, 200, mimetype="image/jpeg")

    fake_control.register(app, st)

    return app


def fake_jpeg(media_id: str) -> bytes:
    """A few deterministic bytes standing in for a photo the user sent."""
    return b"\xff\xd8\xff\xe0FAKEJPEG:" + media_id.encode() + b"\xff\xd9"


@dataclass
class RunningFake:
    """A fake WeCom served from a background thread (tests, benchmarks)."""

    server: BaseWSGIServer
    thread: threading.Thread
    state: FakeState

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


def start_in_thread(secret: str | None = None, faults: Faults | None = None) -> RunningFake:
    """Serve a fresh fake on 127.0.0.1 on a free port, in a daemon thread."""
    state = FakeState(secret=secret, faults=faults or Faults())
    redact.install(("werkzeug",))  # its access log shows gettoken's corpsecret
    server = make_server("127.0.0.1", 0, create_fake_app(state=state), threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), daemon=True, name="fake-wecom"
    )
    thread.start()
    return RunningFake(server, thread, state)
