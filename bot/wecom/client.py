"""The WeCom server API client: message/send, appchat, template cards, robots, media.

Plain ``requests`` rather than wechatpy's client, which has no timeouts, a hard-coded
``gettoken`` URL (so no local fake) and a recursive retry on token errors. Here:

- every call has a (connect, read) timeout from ``[wecom] timeout_seconds``; it is
  retried at once only when the request never left (a connection error; for a GET,
  any network error), then raises :class:`WecomNetworkError`. A POST that may have
  reached WeCom (read timeout, reset, HTTP 5xx) is NOT resent here: the outbox
  backs off and tries later, and ``message/send`` asks WeCom to drop a repeat
  (``enable_duplicate_check``), so a slow answer never delivers twice;
- error texts never carry the secret, a token or a robot key (:mod:`bot.wecom.redact`);
- the access token lives in a :class:`TokenStore` every process shares (the
  ``cache_entries`` table by default) and is refreshed at most ONCE per call, on
  expiry or errcode 40014/42001/40001; a second token error is raised, never looped;
- a non-zero errcode raises :class:`WecomApiError` naming errcode and errmsg
  (60020: the server's IP is not in the app's trusted list).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import requests
from urllib3.exceptions import ConnectTimeoutError

from bot.config import WecomConfig
from bot.wecom import redact

TOKEN_ERRCODES = frozenset({40014, 42001, 40001})
# Worth another try later: rate limits, "system busy", token trouble, untrusted IP
# (an admin can fix the trusted list; the messages must wait, not be dropped).
RETRY_LATER_ERRCODES = frozenset({45009, 45033, -1, 60020} | TOKEN_ERRCODES)
TOKEN_MARGIN = timedelta(minutes=5)
# message/send: WeCom drops an identical message to the same people within this
# many seconds (at most 4 hours), so a resend after a lost answer is not shown twice.
DUPLICATE_CHECK_SECONDS = 1800

HINTS = {
    60020: "本服务器 IP 不在企业微信应用的可信 IP 列表中，请在管理后台 应用管理→企业可信IP 添加 "
    "(server IP not in the app's trusted IP list)",
    40001: "corpsecret 错误，请核对 [wecom] secret (invalid secret)",
    40013: "corpid 错误，请核对 [wecom] corp_id (invalid corp_id)",
    45009: "调用频率超限，稍后重试 (rate limited)",
    45033: "接口并发调用超限，稍后重试 (too many concurrent calls)",
    81013: "接收人无效或不在应用可见范围 (recipient invalid or outside the app's visible range)",
}


class WecomApiError(Exception):
    """WeCom answered with a non-zero errcode."""

    def __init__(self, api: str, errcode: int, errmsg: str) -> None:
        hint = HINTS.get(errcode, "")
        super().__init__(f"{api}: errcode {errcode}: {errmsg}" + (f" — {hint}" if hint else ""))
        self.api = api
        self.errcode = errcode
        self.errmsg = errmsg

    @property
    def retry_later(self) -> bool:
        return self.errcode in RETRY_LATER_ERRCODES


class WecomNetworkError(Exception):
    """WeCom could not be reached, or its answer was lost: refused, timeout, HTTP 5xx."""


def never_left(exc: requests.RequestException) -> bool:
    """True when the request surely did not reach WeCom (connection refused, DNS,
    connect timeout): resending it cannot deliver a message twice."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if not isinstance(exc, requests.ConnectionError):
        return False
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, ConnectTimeoutError)  # NewConnectionError is one too


TokenFetch = Callable[[], tuple[str, datetime]]


class TokenStore(Protocol):
    def get(self, now: datetime) -> str | None: ...

    def put(self, token: str, expires_at: datetime) -> None: ...

    def refresh(self, now: datetime, fetch: TokenFetch, stale: str | None) -> str:
        """A valid token other than ``stale``; ``fetch`` only if none is stored.

        A shared store runs this under a lock, so processes that find the token
        expired at the same moment call gettoken once between them.
        """
        ...


@dataclass
class WecomClient:
    """One app's API client. ``clock`` gives aware UTC datetimes (token expiry)."""

    config: WecomConfig
    tokens: TokenStore
    clock: Callable[[], datetime]
    http: requests.Session = field(default_factory=requests.Session)

    @property
    def _timeout(self) -> tuple[float, float]:
        return (self.config.timeout_seconds, self.config.timeout_seconds)

    def _url(self, api: str) -> str:
        return f"{self.config.api_base_url}/cgi-bin/{api}"

    def __post_init__(self) -> None:
        redact.install()

    def _http(self, method: str, api: str, **kwargs: Any) -> requests.Response:
        """One HTTP request; sent again at once only if it never left (or is a GET).

        Raises :class:`WecomNetworkError` with the URL's credentials masked.
        """
        for attempt in (1, 2):
            try:
                resp = self.http.request(method, self._url(api), timeout=self._timeout, **kwargs)
            except requests.RequestException as exc:
                if attempt == 1 and (method == "GET" or never_left(exc)):
                    continue
                text = redact.redact(str(exc), self.config.secret)
                raise WecomNetworkError(f"{api}: {type(exc).__name__}: {text}") from None
            if resp.status_code < 500:
                return resp
            if attempt == 2 or method != "GET":
                raise WecomNetworkError(f"{api}: HTTP {resp.status_code}")
        raise AssertionError("unreachable")

    @staticmethod
    def _check(api: str, resp: requests.Response) -> dict[str, Any]:
        try:
            data = resp.json()
        except ValueError:
            raise WecomNetworkError(f"{api}: HTTP {resp.status_code}, not JSON") from None
        if not isinstance(data, dict):
            raise WecomNetworkError(f"{api}: unexpected answer")
        errcode = int(data.get("errcode", 0) or 0)
        if errcode != 0:
            raise WecomApiError(api, errcode, redact.redact(str(data.get("errmsg", ""))))
        return data

    def _gettoken(self) -> tuple[str, datetime]:
        """Ask gettoken for a fresh token and its expiry. No retry on errcode."""
        params = {"corpid": self.config.corp_id, "corpsecret": self.config.secret}
        data = self._check("gettoken", self._http("GET", "gettoken", params=params))
        expires = self.clock() + timedelta(seconds=int(data.get("expires_in", 7200))) - TOKEN_MARGIN
        return str(data["access_token"]), expires

    def fetch_token(self) -> None:
        """Ask gettoken now, past the shared cache, and keep nothing (``check-config``).

        Raises :class:`WecomApiError` (e.g. 40001 for a wrong secret) or
        :class:`WecomNetworkError` (the API base cannot be reached).
        """
        self._gettoken()

    def token(self) -> str:
        now = self.clock()
        return self.tokens.get(now) or self.tokens.refresh(now, self._gettoken, None)

    def call(self, method: str, api: str, **kwargs: Any) -> dict[str, Any]:
        """An authenticated call; on a token error refresh once and try again, once."""
        params = dict(kwargs.pop("params", {}))
        token = self.token()
        for refreshed in (False, True):
            params["access_token"] = token
            resp = self._http(method, api, params=params, **kwargs)
            try:
                return self._check(api, resp)
            except WecomApiError as exc:
                if exc.errcode not in TOKEN_ERRCODES or refreshed:
                    raise
                token = self._replacement_token(token)
        raise AssertionError("unreachable")

    def _replacement_token(self, bad: str) -> str:
        """After a token error: another process may have refreshed already; else fetch."""
        return self.tokens.refresh(self.clock(), self._gettoken, bad)

    # --- messages -------------------------------------------------------------

    def send_message(self, touser: str, payload: dict[str, Any]) -> dict[str, Any]:
        """message/send; ``touser`` is ``"a|b|c"`` (≤ 1000), payload without agentid."""
        body = {
            "touser": touser,
            "agentid": self.config.agent_id,
            **payload,
            "enable_duplicate_check": 1,
            "duplicate_check_interval": DUPLICATE_CHECK_SECONDS,
        }
        return self.call("POST", "message/send", json=body)

    def update_template_card(self, body: dict[str, Any]) -> dict[str, Any]:
        """message/update_template_card: body has userids, response_code and template_card or button."""
        return self.call(
            "POST", "message/update_template_card", json={"agentid": self.config.agent_id, **body}
        )

    def appchat_send(self, chatid: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", "appchat/send", json={"chatid": chatid, **payload})

    def robot_send(self, key: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Group-robot webhook (no access token): text, markdown, image, file."""
        return self._check(
            "webhook/send", self._http("POST", "webhook/send", params={"key": key}, json=payload)
        )

    def create_menu(self, menu: dict[str, Any]) -> dict[str, Any]:
        """menu/create for this app's agent: ``{"button": [...]}``."""
        return self.call("POST", "menu/create", params={"agentid": self.config.agent_id}, json=menu)

    # --- web authorization ----------------------------------------------------

    def user_of_code(self, code: str) -> str:
        """auth/getuserinfo: the userid behind a web-authorization ``code`` (one use).

        Raises WecomApiError for a bad or used code, and for a visitor who is not a
        member of the corp (WeCom answers an openid then, not a userid).
        """
        data = self.call("GET", "auth/getuserinfo", params={"code": code})
        userid = str(data.get("userid") or data.get("UserId") or "")
        if not userid:
            raise WecomApiError("auth/getuserinfo", 46004, "not a member of the corp")
        return userid

    # --- media ----------------------------------------------------------------

    def upload_media(self, kind: str, filename: str, content: bytes, content_type: str = "") -> str:
        """media/upload (kind: image, voice, video, file) → media_id, valid 3 days."""
        files = {
            "media": (filename, content, content_type) if content_type else (filename, content)
        }
        data = self.call("POST", "media/upload", params={"type": kind}, files=files)
        return str(data["media_id"])

    def get_media(self, media_id: str) -> tuple[bytes, str]:
        """media/get → (bytes, content type); e.g. a photo a cadre sent."""
        token = self.token()
        for refreshed in (False, True):
            resp = self._http(
                "GET", "media/get", params={"access_token": token, "media_id": media_id}
            )
            ctype = resp.headers.get("Content-Type", "application/octet-stream")
            if not ctype.startswith(("application/json", "text/plain")):
                return resp.content, ctype.split(";")[0]
            try:
                self._check("media/get", resp)
            except WecomApiError as exc:
                if exc.errcode not in TOKEN_ERRCODES or refreshed:
                    raise
                token = self._replacement_token(token)
                continue
            raise WecomNetworkError("media/get: JSON answer without errcode")
        raise AssertionError("unreachable")
