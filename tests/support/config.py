"""The test corp's WeCom secrets and a config dict pointing at a test database."""

from __future__ import annotations

from typing import Any

TEST_AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
TEST_TOKEN = "minqing-test-token"
TEST_CORP_ID = "wwtestcorp0000001"


def config_dict(db_url: str, **sections: dict[str, Any]) -> dict[str, Any]:
    """A raw config for ``bot.config.from_dict``; ``sections`` add or override tables."""
    raw: dict[str, Any] = {
        "database": {"url": db_url},
        "wecom": {
            "corp_id": TEST_CORP_ID,
            "token": TEST_TOKEN,
            "encoding_aes_key": TEST_AES_KEY,
            "agent_id": 1000002,
            "secret": "test-secret",
        },
    }
    for name, values in sections.items():
        raw.setdefault(name, {}).update(values)
    return raw


# The WeCom client's read timeout with the fake: long enough that a loaded machine never
# times out a call the fake answers at once (0.3 s did, under a load of 10); tests of
# timeouts make the fake answer after LATE seconds.
API_TIMEOUT = 1.5
LATE = 2 * API_TIMEOUT
