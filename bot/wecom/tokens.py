"""Where the WeCom access token lives so every process shares one: the database.

:func:`make_client` wires a :class:`~bot.wecom.client.WecomClient` for a runtime
with :class:`storage.tokens.DbTokenStore` (``cache_entries``, its own short
transactions, independent of the caller's unit of work).
"""

from __future__ import annotations

import requests

from bot.runtime import Runtime
from bot.wecom.client import WecomClient
from storage.tokens import DbTokenStore


def token_key(corp_id: str, agent_id: int) -> str:
    return f"wecom_token:{corp_id}:{agent_id}"


def make_client(runtime: Runtime, http: requests.Session | None = None) -> WecomClient:
    """The API client for this runtime's app, with the token shared through the database."""
    w = runtime.config.wecom
    store = DbTokenStore(runtime.sessions, token_key(w.corp_id, w.agent_id))
    return WecomClient(w, store, runtime.clock, http or requests.Session())
