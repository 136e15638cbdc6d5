"""Signed links: a token logs its reader in as one user until it expires; a forged,
altered or expired one logs no one in. ``[pages]`` needs a secret when enabled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from bot import config as config_mod
from bot.pages import links, tokens
from tests.support.config import config_dict

SECRET = "a-test-secret-of-32-characters!!"
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def test_a_token_names_its_user_until_it_expires():
    token = tokens.sign_link(SECRET, "lisi", NOW, timedelta(minutes=30))
    assert tokens.verify_link(SECRET, token, NOW + timedelta(minutes=29)) == "lisi"
    assert tokens.verify_link(SECRET, token, NOW + timedelta(minutes=30)) is None


def test_a_forged_or_altered_token_names_no_one():
    token = tokens.sign_link(SECRET, "lisi", NOW, timedelta(minutes=30))
    assert tokens.verify_link("another-secret-of-32-characters!", token, NOW) is None
    assert tokens.verify_link(SECRET, token[:-2] + "xx", NOW) is None
    assert tokens.verify_link(SECRET, "not-a-token", NOW) is None


def test_overview_url_carries_a_token_for_the_user():
    config = config_mod.from_dict(
        config_dict(
            "sqlite://",
            pages={"enabled": True, "secret_key": SECRET, "public_url": "https://mq.example/"},
        ),
        environ={},
    )
    url = links.overview_url(config, "wangwu", NOW)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://mq.example/m/"
    token = parse_qs(parts.query)["t"][0]
    assert tokens.verify_link(SECRET, token, NOW + timedelta(minutes=719)) == "wangwu"
    assert tokens.verify_link(SECRET, token, NOW + timedelta(minutes=720)) is None


def test_enabled_pages_need_a_secret_key():
    with pytest.raises(config_mod.ConfigError, match="pages: secret_key"):
        config_mod.from_dict(config_dict("sqlite://", pages={"enabled": True}), environ={})
