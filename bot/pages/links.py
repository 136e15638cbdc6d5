"""URLs of the pages, for messages: a link logs its reader in (bot.pages.tokens).

Chat (报表), digests and the app menu call these; nothing else builds a ``/m/`` URL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from bot.config import Config
from bot.pages.tokens import sign_link

TOKEN_PARAM = "t"


def base_url(config: Config) -> str:
    """Where phones reach the app: ``[pages] public_url``, else the server's address."""
    return config.pages.public_url or f"http://{config.server.host}:{config.server.port}"


def page_url(config: Config, userid: str, now: datetime, path: str = "/m/") -> str:
    """``path`` on the app with a signed token that logs ``userid`` in until the link's
    time (``[pages] link_ttl_minutes``) runs out."""
    ttl = timedelta(minutes=config.pages.link_ttl_minutes)
    token = sign_link(config.pages.secret_key, userid, now, ttl)
    return f"{base_url(config)}{path}?{urlencode({TOKEN_PARAM: token})}"


def overview_url(config: Config, userid: str, now: datetime) -> str:
    """The 总览 page for ``userid`` (the 报表 link card), logged in by its token."""
    return page_url(config, userid, now, "/m/")


def pages_configured(config: Config) -> bool:
    """Whether chat may offer links: the pages are on (which requires their key)."""
    return config.pages.enabled and bool(config.pages.secret_key)
