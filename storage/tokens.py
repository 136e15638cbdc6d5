"""The WeCom access token, shared by every process through ``cache_entries``.

:class:`DbTokenStore` is the one repository in storage/ that commits: each call runs its
own short transaction (``unit_of_work`` on the store's session factory), not the
caller's. The token is fetched from the API client while a request or a send is
under way, and it must be visible to the other processes at once, whatever the
caller's transaction then does; a token outlives any one unit of work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from storage.db import unit_of_work
from storage.models import CacheEntry

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Calls WeCom's gettoken: the new token and when it expires.
TokenFetch = Callable[[], tuple[str, datetime]]


@dataclass(frozen=True)
class DbTokenStore:
    """One token (``key``) in ``cache_entries``; each method commits on its own."""

    sessions: sessionmaker[Session]
    key: str

    def get(self, now: datetime) -> str | None:
        """The stored token if it is still valid at ``now``, else None."""
        with unit_of_work(self.sessions) as s:
            row = s.scalar(select(CacheEntry).where(CacheEntry.key == self.key))
            if row is not None and now < row.expires_at:
                return row.value
            return None

    def put(self, token: str, expires_at: datetime) -> None:
        """Store ``token`` (insert or overwrite) and commit."""
        with unit_of_work(self.sessions) as s:
            values = {"key": self.key, "value": token, "expires_at": expires_at}
            update = {"value": token, "expires_at": expires_at}
            if s.get_bind().dialect.name == "postgresql":
                pg = postgresql.insert(CacheEntry).values(**values)
                s.execute(pg.on_conflict_do_update(index_elements=["key"], set_=update))
            else:
                lite = sqlite.insert(CacheEntry).values(**values)
                s.execute(lite.on_conflict_do_update(index_elements=["key"], set_=update))

    def refresh(self, now: datetime, fetch: TokenFetch, stale: str | None) -> str:
        """Check and fetch under the token row's lock (PostgreSQL ``FOR UPDATE``;
        SQLite's ``BEGIN IMMEDIATE``), so concurrent processes call gettoken once.

        Must not be called inside another open write transaction on SQLite.
        """
        with unit_of_work(self.sessions) as s:
            placeholder = {"key": self.key, "value": "", "expires_at": EPOCH}
            if s.get_bind().dialect.name == "postgresql":
                s.execute(
                    postgresql.insert(CacheEntry).values(**placeholder).on_conflict_do_nothing()
                )
            else:
                s.execute(sqlite.insert(CacheEntry).values(**placeholder).on_conflict_do_nothing())
            row = s.execute(
                select(CacheEntry).where(CacheEntry.key == self.key).with_for_update()
            ).scalar_one()
            if row.value and now < row.expires_at and row.value != stale:
                return row.value
            token, expires_at = fetch()
            row.value, row.expires_at = token, expires_at
            return token
