"""The shared WeCom token: stored in cache_entries, each call its own transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.tokens import DbTokenStore
from tests.support.clock import FROZEN_NOW

NOW = FROZEN_NOW
HOUR = timedelta(hours=1)


def test_put_then_get_until_it_expires(sessions):
    store = DbTokenStore(sessions, "wecom_token:corp:1")
    assert store.get(NOW) is None
    store.put("t1", NOW + HOUR)
    store.put("t2", NOW + HOUR)  # overwrites
    assert store.get(NOW) == "t2"
    assert store.get(NOW + HOUR) is None
    # Another store on the same key (another process) sees it: put committed.
    assert DbTokenStore(sessions, "wecom_token:corp:1").get(NOW) == "t2"
    assert DbTokenStore(sessions, "wecom_token:corp:2").get(NOW) is None


def test_refresh_fetches_only_when_missing_expired_or_stale(sessions):
    store = DbTokenStore(sessions, "wecom_token:corp:1")
    fetched: list[str] = []

    def fetch() -> tuple[str, datetime]:
        token = f"t{len(fetched) + 1}"
        fetched.append(token)
        return token, NOW + HOUR

    assert store.refresh(NOW, fetch, None) == "t1"  # nothing stored
    assert store.refresh(NOW, fetch, None) == "t1"  # still valid: no call
    assert store.refresh(NOW, fetch, "t1") == "t2"  # WeCom rejected t1
    assert store.refresh(NOW + HOUR, fetch, None) == "t3"  # expired
    assert fetched == ["t1", "t2", "t3"]
    assert store.get(NOW) == "t3"
