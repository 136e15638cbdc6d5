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

import base64
import hashlib
import itertools
import json
import random
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, jsonify, redirect, request
from markupsafe import escape
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Response as BaseResponse

from bot.wecom import redact

OK = {"errcode": 0, "errmsg": "ok"}
DELIVERING_APIS = ("message/send", "appchat/send", "webhook/send")
# Not part of what a message says: the same message sent again differs only in these.
ENVELOPE_FIELDS = ("agentid", "enable_duplicate_check", "duplicate_check_interval")
BUSY = {"errcode": -1, "errmsg": "system is busy (fake wecom, injected)"}


@dataclass(frozen=True)
class Faults:
    """Random faults on POST API calls, drawn from ``rng`` (seed it: same run, same faults).

    ``failure_rate``: share of calls answered errcode -1 or HTTP 500 (half each),
    nothing done. ``timeout_rate``: share of calls that do their work and then answer
    ``timeout_seconds`` late.
    """

    failure_rate: float = 0.0
    timeout_rate: float = 0.0
    timeout_seconds: float = 0.0
    rng: random.Random = field(default_factory=lambda: random.Random(0))

    def __post_init__(self) -> None:
        if not (0 <= self.failure_rate and 0 <= self.timeout_rate):
            raise ValueError("fault rates must not be negative")
        if self.failure_rate + self.timeout_rate > 1:
            raise ValueError("failure_rate + timeout_rate must not exceed 1")

    def draw(self) -> str:
        """``"busy"``, ``"http500"``, ``"timeout"`` or ``""`` (no fault) for one call."""
        if not (self.failure_rate or self.timeout_rate):
            return ""
        roll = self.rng.random()
        if roll < self.failure_rate:
            return "busy" if self.rng.random() < 0.5 else "http500"
        if roll < self.failure_rate + self.timeout_rate:
            return "timeout"
        return ""


def content_key(api: str, recipients: list[str], body: dict[str, Any]) -> str:
    """What identifies one message at WeCom: the API, who gets it and what it says."""
    content = {k: v for k, v in body.items() if k not in ENVELOPE_FIELDS}
    return json.dumps([api, sorted(recipients), content], sort_keys=True, ensure_ascii=False)


@dataclass
class FakeState:
    secret: str | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    media: dict[str, bytes] = field(default_factory=dict)
    media_names: dict[str, str] = field(default_factory=dict)  # media_id → uploaded file name
    gettoken_calls: int = 0
    fail_errcode: int = 0
    fail_count: int = 0
    delay_seconds: float = 0.0
    delay_count: int = 0
    slow_answer_seconds: float = 0.0
    slow_answer_count: int = 0
    duplicates: int = 0
    faults: Faults = field(default_factory=Faults)
    injected: Counter[str] = field(default_factory=Counter)  # fault kind → calls hit
    deliveries: Counter[str] = field(default_factory=Counter)  # content_key → times delivered
    # (recipients, agentid, content) of checked sends → when delivered (monotonic seconds)
    delivered_at: dict[str, float] = field(default_factory=dict)
    monotonic: Callable[[], float] = time.monotonic
    # web authorization: the default user, and the codes issued and not yet used
    oauth_user: str = ""
    oauth_codes: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def record(self, api: str, body: dict[str, Any], recipients: list[str]) -> dict[str, Any]:
        with self.lock:
            entry = {"seq": next(self._seq), "api": api, "body": body, "to": recipients}
            size = self._media_size(body)
            if size is not None:
                entry["media_size"] = size
            name = self._media_name(body)
            if name:
                entry["media_name"] = name
            self.records.append(entry)
            if api in DELIVERING_APIS:
                self.deliveries[content_key(api, recipients, body)] += 1
            return entry

    def draw_fault(self) -> str:
        """The random fault for this call (see :class:`Faults`), counted."""
        with self.lock:
            kind = self.faults.draw()
            if kind:
                self.injected[kind] += 1
            return kind

    def _media_size(self, body: dict[str, Any]) -> int | None:
        """Bytes of the file an image/file message refers to (uploaded or inline)."""
        kind = body.get("msgtype")
        media = body.get(kind) if kind in ("image", "file", "voice", "video") else None
        if not isinstance(media, dict):
            return None
        if "base64" in media:
            return len(base64.b64decode(str(media["base64"]) or b""))
        known = self.media.get(str(media.get("media_id", "")))
        return len(known) if known is not None else None

    def _media_name(self, body: dict[str, Any]) -> str:
        """The uploaded name of the file a file message refers to ('' if none)."""
        media = body.get("file") if body.get("msgtype") == "file" else None
        if not isinstance(media, dict):
            return ""
        return self.media_names.get(str(media.get("media_id", "")), "")

    def is_duplicate(self, body: dict[str, Any]) -> bool:
        """A checked message/send that repeats one delivered within its interval."""
        if not body.get("enable_duplicate_check"):
            return False
        interval = float(body.get("duplicate_check_interval", 1800) or 1800)
        content = {k: v for k, v in body.items() if k not in ("duplicate_check_interval",)}
        key = json.dumps(content, sort_keys=True, ensure_ascii=False)
        with self.lock:
            now = self.monotonic()
            last = self.delivered_at.get(key)
            if last is not None and now - last < interval:
                self.duplicates += 1
                return True
            self.delivered_at[key] = now
            return False

    def slow_answer(self, fault: str = "") -> None:
        """After the work is done: wait before answering, if a slow answer is due
        (or the call drew a timeout)."""
        with self.lock:
            delay = self.slow_answer_seconds if self.slow_answer_count > 0 else 0.0
            self.slow_answer_count = max(0, self.slow_answer_count - 1)
        if fault == "timeout":
            delay = max(delay, self.faults.timeout_seconds)
        if delay:
            time.sleep(delay)

    def injected_failure(self) -> dict[str, Any] | None:
        """Apply a pending delay; return the error answer if a failure is due."""
        with self.lock:
            delay = self.delay_seconds if self.delay_count > 0 else 0.0
            self.delay_count = max(0, self.delay_count - 1)
            failure = None
            if self.fail_count > 0:
                self.fail_count -= 1
                failure = {"errcode": self.fail_errcode, "errmsg": "injected failure (fake wecom)"}
        if delay:
            time.sleep(delay)
        return failure


def _recipients(api: str, body: dict[str, Any]) -> list[str]:
    if api == "message/update_template_card":
        return [str(u) for u in body.get("userids", [])]
    if api == "message/send":
        return [u for u in str(body.get("touser", "")).split("|") if u]
    if api == "appchat/send":
        return [f"chat:{body.get('chatid', '')}"]
    if api == "appchat/create":
        return [f"chat:{body.get('chatid', '')}"]
    return []


def create_fake_app(
    secret: str | None = None, state: FakeState | None = None, faults: Faults | None = None
) -> Flask:
    st = state or FakeState(secret=secret, faults=faults or Faults())
    app = Flask(__name__)
    app.extensions["fakewecom"] = st

    def token_error() -> dict[str, Any] | None:
        token = request.args.get("access_token", "")
        if not token:
            return {"errcode": 41001, "errmsg": "access_token missing"}
        if token not in st.tokens:
            return {"errcode": 42001, "errmsg": "access_token expired"}
        return None

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
        bad = token_error() or st.injected_failure()
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
        st.record(api, body, _recipients(api, body))
        if api == "message/send":
            answer.update(invaliduser="", msgid=f"msg{len(st.records)}")
        if api == "appchat/create":
            answer["chatid"] = body.get("chatid") or f"chat{len(st.records)}"
        st.slow_answer(fault)
        return jsonify(answer)

    @app.get("/cgi-bin/media/get")
    def media_get() -> Response:
        bad = token_error() or st.injected_failure()
        if bad:
            return jsonify(bad)
        media_id = request.args.get("media_id", "")
        content = st.media.get(media_id) or fake_jpeg(media_id)
        return Response(content, 200, mimetype="image/jpeg")

    @app.get("/connect/oauth2/authorize")
    def authorize() -> BaseResponse:
        target = request.args.get("redirect_uri", "")
        userid = request.args.get("userid") or request.cookies.get(OAUTH_COOKIE) or st.oauth_user
        if not target.startswith(("http://", "https://")):
            return Response("redirect_uri missing", 400, mimetype="text/plain")
        if not userid:
            return Response(_authorize_form(request.args), 200, mimetype="text/html")
        code = secrets.token_urlsafe(12)
        with st.lock:
            st.oauth_codes[code] = userid
        query = urlencode({"code": code, "state": request.args.get("state", "")})
        return redirect(f"{target}{'&' if '?' in target else '?'}{query}")

    @app.get("/cgi-bin/auth/getuserinfo")
    def getuserinfo() -> Response:
        bad = token_error() or st.injected_failure()
        if bad:
            return jsonify(bad)
        with st.lock:
            userid = st.oauth_codes.pop(request.args.get("code", ""), None)
        if userid is None:
            return jsonify({"errcode": 40029, "errmsg": "invalid code"})
        return jsonify({**OK, "userid": userid, "user_ticket": f"ticket-{userid}"})

    @app.get("/fake/login")
    def fake_login() -> BaseResponse:
        userid = request.args.get("userid", "")
        nxt = request.args.get("next", "")
        if not nxt.startswith(("http://", "https://")):
            nxt = "/fake/stats"
        answer = redirect(nxt)
        answer.set_cookie(OAUTH_COOKIE, userid, httponly=True, samesite="Lax")
        return answer

    @app.get("/fake/messages")
    def messages() -> Response | tuple[Response, int]:
        touser = request.args.get("touser", "")
        chat = request.args.get("chat", "")
        wanted = {f"chat:{chat}", f"robot:{chat}"} if chat else {touser} if touser else set()
        try:
            since = int(request.args.get("since", "0") or 0)
        except ValueError:
            return jsonify({"errcode": 40058, "errmsg": "since must be a number"}), 400
        with st.lock:
            found = [
                r
                for r in st.records
                if r["seq"] > since and (not wanted or wanted.intersection(r["to"]))
            ]
        return jsonify(found)

    @app.get("/fake/stats")
    def stats() -> Response:
        with st.lock:
            deliveries = sum(1 for r in st.records if r["api"] in DELIVERING_APIS)
            return jsonify(
                {
                    "gettoken": st.gettoken_calls,
                    "calls": len(st.records),
                    "deliveries": deliveries,
                    "duplicates": st.duplicates,
                    "repeated": sum(n - 1 for n in st.deliveries.values()),
                    "faults": dict(st.injected),
                }
            )

    @app.get("/fake/deliveries")
    def deliveries() -> Response:
        """Messages delivered more than once (content key → count), and the totals."""
        with st.lock:
            repeats = {k: n for k, n in st.deliveries.items() if n > 1}
            return jsonify(
                {
                    "distinct": len(st.deliveries),
                    "delivered": sum(st.deliveries.values()),
                    "repeats": repeats,
                }
            )

    @app.post("/fake/control")
    def control() -> Response:
        cmd = request.get_json(force=True, silent=True) or {}
        with st.lock:
            if cmd.get("reset"):
                st.fail_count = st.delay_count = st.slow_answer_count = 0
                st.fail_errcode, st.delay_seconds, st.slow_answer_seconds = 0, 0.0, 0.0
            if "errcode" in cmd:
                st.fail_errcode = int(cmd["errcode"])
                st.fail_count = int(cmd.get("count", 1))
            if "delay_seconds" in cmd:
                st.delay_seconds = float(cmd["delay_seconds"])
                st.delay_count = int(cmd.get("count", 1))
            if "slow_answer_seconds" in cmd:
                st.slow_answer_seconds = float(cmd["slow_answer_seconds"])
                st.slow_answer_count = int(cmd.get("count", 1))
            if "oauth_user" in cmd:
                st.oauth_user = str(cmd["oauth_user"])
            if cmd.get("expire_tokens"):
                st.tokens.clear()
        return jsonify(OK)

    return app


OAUTH_COOKIE = "fake_wecom_user"


def _authorize_form(args: Any) -> str:
    """Who is "logged into WeCom"? A form that repeats the request with a userid."""
    hidden = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
        for k, v in args.items()
        if k != "userid"
    )
    return (
        '<!doctype html><meta charset="utf-8"><title>企业微信授权（本地模拟）</title>'
        '<meta name="viewport" content="width=device-width">'
        "<h1>企业微信授权（本地模拟）</h1>"
        f'<form method="get">{hidden}<label>userid <input name="userid"></label>'
        "<button>授权登录</button></form>"
    )


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
