"""Short-lived signed links: ``?t=TOKEN`` logs its reader in as one WeCom user.

A digest or a 报表 card carries such a link, the fallback for when the in-app browser
cannot run WeCom's web authorization. The token holds the userid and its expiry
instant and is signed with ``[pages] secret_key`` (itsdangerous, no timestamp of its
own: the expiry is checked against the caller's ``now``, so a frozen clock applies).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "minqing.pages.link"


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=SALT)


def sign_link(secret: str, userid: str, now: datetime, ttl: timedelta) -> str:
    """A URL-safe token naming ``userid``, valid from ``now`` for ``ttl``."""
    expires = int((now + ttl).astimezone(UTC).timestamp())
    return str(_serializer(secret).dumps({"u": userid, "e": expires}))


def verify_link(secret: str, token: str, now: datetime) -> str | None:
    """The userid of a good, unexpired token; None for a forged, broken or old one."""
    try:
        data = _serializer(secret).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    userid, expires = data.get("u"), data.get("e")
    if not isinstance(userid, str) or not userid or not isinstance(expires, int):
        return None
    if now.astimezone(UTC).timestamp() >= expires:
        return None
    return userid
