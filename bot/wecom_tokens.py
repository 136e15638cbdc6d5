"""Where the WeCom access token lives so every process shares one: the database.

:class:`DbTokenStore` keeps it in ``cache_entries`` (its own short transactions,
independent of the caller's unit of work). :func:`make_client` wires a
:class:`~bot.wecom_api.WecomClient` for a runtime.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import requests
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from bot.runtime import Runtime
from bot.wecom_api import WecomClient
from storage.db import unit_of_work
from storage.models import CacheEntry


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


def token_key(corp_id: str, agent_id: int) -> str:
    return f"wecom_token:{corp_id}:{agent_id}"


def make_client(runtime: Runtime, http: requests.Session | None = None) -> WecomClient:
    """The API client for this runtime's app, with the token shared through the database."""
    w = runtime.config.wecom
    store = DbTokenStore(runtime.sessions, token_key(w.corp_id, w.agent_id))
    return WecomClient(w, store, runtime.clock, http or requests.Session())
