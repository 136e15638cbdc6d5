"""Links into the pages that chat messages carry: a short-lived signed token as the
fallback identity when WeCom's web authorization is not at hand.

A token is ``itsdangerous``-signed ``{"u": userid, "exp": unix seconds}`` with
``[pages] secret_key``; :func:`user_from_token` gives the userid back while it is
unexpired and untampered. Time is passed in (``now``), never read here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from itsdangerous import BadSignature, URLSafeSerializer

from bot.config import Config

SALT = "minqing-pages-link"


def _serializer(config: Config) -> URLSafeSerializer:
    if not config.pages.secret_key:
        raise ValueError("[pages] secret_key is not set: links cannot be signed")
    return URLSafeSerializer(config.pages.secret_key, salt=SALT)


def pages_configured(config: Config) -> bool:
    """Whether links can be made: ``[pages] base_url`` and ``secret_key`` are both set."""
    return bool(config.pages.base_url and config.pages.secret_key)


def link_token(config: Config, userid: str, now: datetime) -> str:
    """A token naming ``userid``, valid ``[pages] link_minutes`` from ``now``."""
    expires = now + timedelta(minutes=config.pages.link_minutes)
    return _serializer(config).dumps({"u": userid, "exp": int(expires.timestamp())})


def user_from_token(config: Config, token: str, now: datetime) -> str | None:
    """The userid a token names, or None if it is forged, malformed or expired."""
    try:
        data = _serializer(config).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), str):
        return None
    expires = data.get("exp")
    if not isinstance(expires, int) or now.timestamp() >= expires:
        return None
    return data["u"]


def overview_url(config: Config, userid: str, now: datetime) -> str:
    """The 总览 page for ``userid``: ``{base_url}/m/?t=<signed token>``."""
    query = urlencode({"t": link_token(config, userid, now)})
    return f"{config.pages.base_url}/m/?{query}"
