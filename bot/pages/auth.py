"""Who is looking: WeCom web authorization, the signed link, and the session cookie.

``/m/login`` sends the browser to WeCom's ``connect/oauth2/authorize`` (scope
snsapi_base: the userid only, no consent screen); WeCom comes back to ``/m/oauth``
with a one-use ``code`` that ``auth/getuserinfo`` turns into the userid. A link from
chat carries ``?t=TOKEN`` (:mod:`bot.pages.tokens`) instead. Either way the userid
goes into Flask's signed session cookie (``[pages] secret_key``) with an expiry
checked against the runtime's clock; every page then loads the cadre behind it and
refuses anyone who is not an active cadre of the roster.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from flask import Flask, abort, current_app, request, session

from bot.pages.tokens import verify_link
from bot.runtime import Runtime
from bot.wecom.client import WecomApiError, WecomNetworkError
from bot.wecom.tokens import make_client
from storage.cadres import find_by_userid
from storage.db import Session
from storage.models import Cadre

EXTENSION = "minqing.pages"
USER, EXPIRES, CSRF, STATE, NEXT = "u", "exp", "csrf", "oauth_state", "next"


@dataclass
class PagesState:
    runtime: Runtime


def state() -> PagesState:
    found: PagesState = current_app.extensions[EXTENSION]
    return found


def install(app: Flask, runtime: Runtime) -> None:
    """Give ``app`` the session settings the pages need."""
    pages = runtime.config.pages
    app.secret_key = pages.secret_key
    app.config.update(
        SESSION_COOKIE_NAME="minqing_m",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=pages.public_url.startswith("https://"),
        SESSION_COOKIE_PATH="/m/",
        MAX_CONTENT_LENGTH=max(runtime.config.server.max_body_bytes, 20 * 1024 * 1024),
    )
    app.extensions[EXTENSION] = PagesState(runtime)


def now() -> datetime:
    return state().runtime.clock()


def start_session(userid: str) -> None:
    """Log ``userid`` in for ``[pages] session_hours``."""
    hours = state().runtime.config.pages.session_hours
    session.clear()
    session[USER] = userid
    session[EXPIRES] = int((now() + timedelta(hours=hours)).astimezone(UTC).timestamp())
    session[CSRF] = secrets.token_urlsafe(16)


def session_user() -> str | None:
    """The logged-in userid, or None when there is none or it has expired."""
    userid, expires = session.get(USER), session.get(EXPIRES)
    if not isinstance(userid, str) or not isinstance(expires, int):
        return None
    if now().astimezone(UTC).timestamp() >= expires:
        return None
    return userid


def token_user() -> str | None:
    """The userid of a good ``?t=`` link token in this request, if any."""
    token = request.args.get("t")
    if not token:
        return None
    return verify_link(state().runtime.config.pages.secret_key, token, now())


def app_root() -> str:
    """The app's address as the phone reached it (``[pages] public_url`` if set)."""
    return state().runtime.config.pages.public_url or request.url_root.rstrip("/")


def authorize_url(next_path: str) -> str:
    """WeCom's authorize URL for this login, remembering ``state`` and where to go."""
    rt = state().runtime
    nonce = secrets.token_urlsafe(16)
    session[STATE] = nonce
    session[NEXT] = next_path if next_path.startswith("/m/") else "/m/"
    query = urlencode(
        {
            "appid": rt.config.wecom.corp_id,
            "redirect_uri": f"{app_root()}/m/oauth",
            "response_type": "code",
            "scope": "snsapi_base",
            "agentid": rt.config.wecom.agent_id,
            "state": nonce,
        }
    )
    return f"{rt.config.pages.oauth_base_url}/connect/oauth2/authorize?{query}#wechat_redirect"


def user_of_code(code: str) -> str | None:
    """The userid WeCom gives for ``code``; None when WeCom refuses or cannot be reached."""
    client = make_client(state().runtime)
    try:
        return client.user_of_code(code)
    except (WecomApiError, WecomNetworkError):
        return None


def finish_oauth() -> str | None:
    """Check the state and the code of an ``/m/oauth`` request; the page to go to, or
    None when the login failed."""
    expected = session.pop(STATE, None)
    target = session.pop(NEXT, "/m/")
    code = request.args.get("code", "")
    if not expected or request.args.get("state") != expected or not code:
        return None
    userid = user_of_code(code)
    if userid is None:
        return None
    start_session(userid)
    return str(target)


def viewer(db: Session, userid: str) -> Cadre:
    """The active cadre behind ``userid``; 403 for anyone else."""
    cadre = find_by_userid(db, userid)
    if cadre is None or not cadre.active:
        abort(403)
    return cadre


def check_csrf() -> None:
    """A POST must carry the session's form token (403 otherwise)."""
    sent = request.form.get("csrf", "")
    if not sent or not secrets.compare_digest(sent, str(session.get(CSRF, ""))):
        abort(403)


def csrf_token() -> str:
    return str(session.get(CSRF, ""))
