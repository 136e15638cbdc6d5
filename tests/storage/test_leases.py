"""The scheduler lease: one holder at a time, renewal, takeover after expiry."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from storage import leases
from storage.db import unit_of_work
from tests.support.clock import FROZEN_NOW
from tests.support.db import statements_from, wait_until_lock_wait

NAME = leases.SCHEDULER_LEASE


@pytest.fixture
def now() -> datetime:
    return FROZEN_NOW


def _acquire(sessions, holder, now, ttl=45):  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        return leases.acquire(s, NAME, holder, now, ttl)


def test_two_holders_one_wins_until_the_lease_runs_out(sessions, now):
    assert _acquire(sessions, "a", now) is True
    assert _acquire(sessions, "b", now + timedelta(seconds=10)) is False
    assert _acquire(sessions, "a", now + timedelta(seconds=15)) is True  # renewal
    assert _acquire(sessions, "b", now + timedelta(seconds=59)) is False  # renewed until 60 s
    assert _acquire(sessions, "b", now + timedelta(seconds=61)) is True  # a died: takeover
    assert _acquire(sessions, "a", now + timedelta(seconds=62)) is False
    with unit_of_work(sessions) as s:
        assert leases.holder_of(s, NAME, now + timedelta(seconds=62)) == "b"
        assert leases.holder_of(s, NAME, now + timedelta(seconds=200)) is None


def test_release_lets_the_other_take_over_at_once(sessions, now):
    assert _acquire(sessions, "a", now)
    with unit_of_work(sessions) as s:
        assert leases.release(s, NAME, "b") is False  # not b's to release
        assert leases.release(s, NAME, "a") is True
    assert _acquire(sessions, "b", now + timedelta(seconds=1))


def test_concurrent_first_use_has_exactly_one_winner(sessions, now):
    """Two processes racing on an empty table: the second waits, then loses."""
    first = sessions()
    assert leases.acquire(first, NAME, "a", now, 45)  # holds its transaction open
    results: dict[str, bool] = {}

    def contender() -> None:
        results["b"] = _acquire(sessions, "b", now)

    engine = first.get_bind()
    with statements_from(engine, "contender") as sent:  # type: ignore[arg-type]
        thread = threading.Thread(target=contender, name="contender")
        thread.start()
        wait_until_lock_wait(engine, thread, sent)  # type: ignore[arg-type]
    assert "b" not in results  # blocked behind a's uncommitted insert
    first.commit()
    first.close()
    thread.join(10)
    assert results == {"b": False}
    with unit_of_work(sessions) as s:
        assert leases.holder_of(s, NAME, now) == "a"
