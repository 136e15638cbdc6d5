"""Where the WeCom access token lives so every process shares one: the database.

:class:`DbTokenStore` keeps it in ``cache_entries`` (its own short transactions,
independent of the caller's unit of work). :func:`make_client` wires a
:class:`~bot.wecom.client.WecomClient` for a runtime.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import requests
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from bot.runtime import Runtime
from bot.wecom.client import TokenFetch, WecomClient
from storage.db import unit_of_work
from storage.models import CacheEntry

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class DbTokenStore:
    sessions: sessionmaker[Session]
    key: str

    def get(self, now: datetime) -> str | None:
        with unit_of_work(self.sessions) as s:
            row = s.scalar(select(CacheEntry).where(CacheEntry.key == self.key))
            if row is not None and now < row.expires_at:
                return row.value
            return None

    def put(self, token: str, expires_at: datetime) -> None:
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


def token_key(corp_id: str, agent_id: int) -> str:
    return f"wecom_token:{corp_id}:{agent_id}"


def make_client(runtime: Runtime, http: requests.Session | None = None) -> WecomClient:
    """The API client for this runtime's app, with the token shared through the database."""
    w = runtime.config.wecom
    store = DbTokenStore(runtime.sessions, token_key(w.corp_id, w.agent_id))
    return WecomClient(w, store, runtime.clock, http or requests.Session())
