"""The fake WeCom's in-memory state: every call recorded, faults drawn, duplicates
spotted (see :mod:`bot.devtools.fakewecom`)."""

from __future__ import annotations

import base64
import itertools
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import request

OK = {"errcode": 0, "errmsg": "ok"}
DELIVERING_APIS = ("message/send", "appchat/send", "webhook/send")
# Not part of what a message says: the same message sent again differs only in these.
ENVELOPE_FIELDS = ("agentid", "enable_duplicate_check", "duplicate_check_interval")
BUSY = {"errcode": -1, "errmsg": "system is busy (fake wecom, injected)"}


@dataclass(frozen=True)
class Faults:
    """Random faults on POST API calls, drawn from ``rng`` (seed it: same run, same faults).

    ``failure_rate``: share of calls answered errcode -1 or HTTP 500 (half each),
    nothing done. ``timeout_rate``: share of calls that do their work and then answer
    ``timeout_seconds`` late.
    """

    failure_rate: float = 0.0
    timeout_rate: float = 0.0
    timeout_seconds: float = 0.0
    rng: random.Random = field(default_factory=lambda: random.Random(0))

    def __post_init__(self) -> None:
        if not (0 <= self.failure_rate and 0 <= self.timeout_rate):
            raise ValueError("fault rates must not be negative")
        if self.failure_rate + self.timeout_rate > 1:
            raise ValueError("failure_rate + timeout_rate must not exceed 1")

    def draw(self) -> str:
        """``"busy"``, ``"http500"``, ``"timeout"`` or ``""`` (no fault) for one call."""
        if not (self.failure_rate or self.timeout_rate):
            return ""
        roll = self.rng.random()
        if roll < self.failure_rate:
            return "busy" if self.rng.random() < 0.5 else "http500"
        if roll < self.failure_rate + self.timeout_rate:
            return "timeout"
        return ""


def content_key(api: str, recipients: list[str], body: dict[str, Any]) -> str:
    """What identifies one message at WeCom: the API, who gets it and what it says."""
    content = {k: v for k, v in body.items() if k not in ENVELOPE_FIELDS}
    return json.dumps([api, sorted(recipients), content], sort_keys=True, ensure_ascii=False)


@dataclass
class FakeState:
    secret: str | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    media: dict[str, bytes] = field(default_factory=dict)
    media_names: dict[str, str] = field(default_factory=dict)  # media_id → uploaded file name
    gettoken_calls: int = 0
    fail_errcode: int = 0
    fail_count: int = 0
    delay_seconds: float = 0.0
    delay_count: int = 0
    slow_answer_seconds: float = 0.0
    slow_answer_count: int = 0
    duplicates: int = 0
    faults: Faults = field(default_factory=Faults)
    injected: Counter[str] = field(default_factory=Counter)  # fault kind → calls hit
    deliveries: Counter[str] = field(default_factory=Counter)  # content_key → times delivered
    # (recipients, agentid, content) of checked sends → when delivered (monotonic seconds)
    delivered_at: dict[str, float] = field(default_factory=dict)
    monotonic: Callable[[], float] = time.monotonic
    # web authorization: the default user, and the codes issued and not yet used
    oauth_user: str = ""
    oauth_codes: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def record(self, api: str, body: dict[str, Any], recipients: list[str]) -> dict[str, Any]:
        with self.lock:
            entry = {"seq": next(self._seq), "api": api, "body": body, "to": recipients}
            size = self._media_size(body)
            if size is not None:
                entry["media_size"] = size
            name = self._media_name(body)
            if name:
                entry["media_name"] = name
            self.records.append(entry)
            if api in DELIVERING_APIS:
                self.deliveries[content_key(api, recipients, body)] += 1
            return entry

    def draw_fault(self) -> str:
        """The random fault for this call (see :class:`Faults`), counted."""
        with self.lock:
            kind = self.faults.draw()
            if kind:
                self.injected[kind] += 1
            return kind

    def _media_size(self, body: dict[str, Any]) -> int | None:
        """Bytes of the file an image/file message refers to (uploaded or inline)."""
        kind = body.get("msgtype")
        media = body.get(kind) if kind in ("image", "file", "voice", "video") else None
        if not isinstance(media, dict):
            return None
        if "base64" in media:
            return len(base64.b64decode(str(media["base64"]) or b""))
        known = self.media.get(str(media.get("media_id", "")))
        return len(known) if known is not None else None

    def _media_name(self, body: dict[str, Any]) -> str:
        """The uploaded name of the file a file message refers to ('' if none)."""
        media = body.get("file") if body.get("msgtype") == "file" else None
        if not isinstance(media, dict):
            return ""
        return self.media_names.get(str(media.get("media_id", "")), "")

    def is_duplicate(self, body: dict[str, Any]) -> bool:
        """A checked message/send that repeats one delivered within its interval."""
        if not body.get("enable_duplicate_check"):
            return False
        interval = float(body.get("duplicate_check_interval", 1800) or 1800)
        content = {k: v for k, v in body.items() if k not in ("duplicate_check_interval",)}
        key = json.dumps(content, sort_keys=True, ensure_ascii=False)
        with self.lock:
            now = self.monotonic()
            last = self.delivered_at.get(key)
            if last is not None and now - last < interval:
                self.duplicates += 1
                return True
            self.delivered_at[key] = now
            return False

    def slow_answer(self, fault: str = "") -> None:
        """After the work is done: wait before answering, if a slow answer is due
        (or the call drew a timeout)."""
        with self.lock:
            delay = self.slow_answer_seconds if self.slow_answer_count > 0 else 0.0
            self.slow_answer_count = max(0, self.slow_answer_count - 1)
        if fault == "timeout":
            delay = max(delay, self.faults.timeout_seconds)
        if delay:
            time.sleep(delay)

    def injected_failure(self) -> dict[str, Any] | None:
        """Apply a pending delay; return the error answer if a failure is due."""
        with self.lock:
            delay = self.delay_seconds if self.delay_count > 0 else 0.0
            self.delay_count = max(0, self.delay_count - 1)
            failure = None
            if self.fail_count > 0:
                self.fail_count -= 1
                failure = {"errcode": self.fail_errcode, "errmsg": "injected failure (fake wecom)"}
        if delay:
            time.sleep(delay)
        return failure


def recipients(api: str, body: dict[str, Any]) -> list[str]:
    if api == "message/update_template_card":
        return [str(u) for u in body.get("userids", [])]
    if api == "message/send":
        return [u for u in str(body.get("touser", "")).split("|") if u]
    if api == "appchat/send":
        return [f"chat:{body.get('chatid', '')}"]
    if api == "appchat/create":
        return [f"chat:{body.get('chatid', '')}"]
    return []


def token_error(st: FakeState) -> dict[str, Any] | None:
    """WeCom's answer to a call without a valid access_token, else None."""
    token = request.args.get("access_token", "")
    if not token:
        return {"errcode": 41001, "errmsg": "access_token missing"}
    if token not in st.tokens:
        return {"errcode": 42001, "errmsg": "access_token expired"}
    return None
