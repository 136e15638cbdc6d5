"""The fake WeCom's web authorization (the /m/ pages' login) and its control endpoints
(``/fake/…``: what was delivered, statistics, injected faults); see
:mod:`bot.devtools.fakewecom`."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, jsonify, redirect, request
from markupsafe import escape
from werkzeug.wrappers import Response as BaseResponse

from bot.devtools.fake_state import DELIVERING_APIS, OK, FakeState, token_error


def register(app: Flask, st: FakeState) -> None:
    """Add the OAuth and ``/fake/…`` routes to the fake's ``app``, serving ``st``."""

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
        bad = token_error(st) or st.injected_failure()
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
