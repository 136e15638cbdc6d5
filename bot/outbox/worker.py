"""The outbox sender: delivers due ``outbox`` rows through the WeCom API, never drops one.

One pass (:func:`drain_once`):

1. Claim a batch of due rows in a short transaction (PostgreSQL ``FOR UPDATE SKIP
   LOCKED``, so several workers never take the same row; SQLite's ``BEGIN
   IMMEDIATE`` serialises claimers). Claiming counts the attempt and pushes
   ``next_attempt_at`` a lease ahead (``[outbox] claim_lease_seconds``), so a
   worker that dies mid-send only delays its rows.
2. Send each row (no transaction open while talking to WeCom). A payload with
   ``_export`` (a table asked for by 导出) is built first and kept in the row as an
   ``_upload`` one (:mod:`bot.outbox.export_files`). A payload with ``_upload`` (the
   weekly chart, a table) is uploaded first (:mod:`bot.outbox.media`); the media_id
   is remembered in the row so a retry does not upload again.
3. Record the outcome: ``sent``; or, on a network error or a retry-later errcode
   (45009/45033 rate limits, -1 busy, token trouble after the one refresh, 60020
   untrusted IP), back off exponentially (``[outbox]`` base/max, at least 60 s
   after a rate limit; a read timeout too: WeCom may have delivered, and drops the
   later resend through ``enable_duplicate_check``); ``failed`` after ``max_attempts`` or on an error that
   retrying cannot fix. ``minqing outbox --retry ID`` puts a row back in the queue.

:func:`run` loops passes until a stop event is set.
"""

from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bot.config import OutboxConfig
from bot.outbox import export_files
from bot.outbox import media as outbox_media
from bot.runtime import Runtime
from bot.wecom.client import WecomApiError, WecomClient, WecomNetworkError
from bot.wecom.tokens import make_client
from storage import outbox
from storage.outbox import DueMessage

log = logging.getLogger("minqing.outbox")
RATE_LIMIT_BACKOFF = timedelta(seconds=60)
RATE_LIMIT_ERRCODES = frozenset({45009, 45033})
MIN_BACKOFF = timedelta(seconds=1)


@dataclass(frozen=True)
class DrainCounts:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __add__(self, other: DrainCounts) -> DrainCounts:
        return DrainCounts(
            self.sent + other.sent, self.retrying + other.retrying, self.failed + other.failed
        )


def backoff(attempts: int, cfg: OutboxConfig, rate_limited: bool = False) -> timedelta:
    """Delay before the next try after ``attempts`` tries: base·2^(n-1), capped."""
    seconds = min(cfg.base_backoff_seconds * 2 ** max(0, attempts - 1), cfg.max_backoff_seconds)
    delay = max(timedelta(seconds=seconds), MIN_BACKOFF)
    return max(delay, RATE_LIMIT_BACKOFF) if rate_limited else delay


def deliver(client: WecomClient, item: DueMessage) -> str:
    """Send one claimed row; returns a note worth keeping (e.g. invalid users) or ''."""
    if item.channel == "message":
        answer = client.send_message(item.recipient, item.payload)
        invalid = answer.get("invaliduser") or answer.get("unlicenseduser") or ""
        return f"invaliduser: {invalid}" if invalid else ""
    if item.channel == "appchat":
        client.appchat_send(item.recipient, item.payload)
    elif item.channel == "robot":
        client.robot_send(item.recipient, item.payload)
    elif item.channel == "update_card":
        client.update_template_card({"userids": item.recipient.split("|"), **item.payload})
    else:
        raise ValueError(f"unknown outbox channel {item.channel!r}")
    return ""


def _remember_media(runtime: Runtime, row_id: int, media_id: str, at: datetime) -> None:
    """Keep a fresh upload's media_id in the row, so a retry sends it again."""

    def remember(stored: dict[str, Any]) -> dict[str, Any] | None:
        if not outbox_media.has_upload(stored):
            return None
        return outbox_media.remembered(stored, media_id, at)

    with runtime.unit_of_work() as s:
        outbox.update_payload(s, row_id, remember)


def _build_export(runtime: Runtime, item: DueMessage) -> dict[str, Any]:
    """Build the table a 导出 asked for and keep the file in the row (a retry sends
    the same workbook); returns the row's new payload, an ``_upload`` one. A request
    that cannot be built tells its recipient so (a text row) and raises (the row fails)."""
    try:
        built = export_files.build(runtime, item.payload, runtime.clock())
    except ValueError:
        with runtime.unit_of_work() as s:
            notice = outbox.text_payload(export_files.NOT_BUILT)
            outbox.enqueue(s, "message", item.recipient, notice, runtime.clock())
        raise

    def keep_built(stored: dict[str, Any]) -> dict[str, Any] | None:
        return built if export_files.has_export(stored) else None

    with runtime.unit_of_work() as s:
        outbox.update_payload(s, item.id, keep_built)
    return built


def _record(
    runtime: Runtime,
    item: DueMessage,
    error: Exception | None,
    note: str,
    sent_payload: dict[str, Any] | None = None,
) -> str:
    """Decide and store one send's outcome (sent | retrying | failed | gone). After a
    send of an uploaded file, the row keeps what was sent (with its media_id) instead
    of the file's bytes."""
    cfg = runtime.config.outbox
    now = runtime.clock()

    def keep_sent(stored: dict[str, Any]) -> dict[str, Any] | None:
        has_file = sent_payload is not None and outbox_media.has_upload(stored)
        return sent_payload if has_file else None

    def forget_media(stored: dict[str, Any]) -> dict[str, Any] | None:
        return outbox_media.forgotten(stored) if outbox_media.has_upload(stored) else None

    change: outbox.PayloadChange | None = None
    if error is None:
        outcome, status, last_error, change, retry_at = "sent", "sent", note, keep_sent, None
    else:
        last_error = str(error)[:2000]
        retryable = isinstance(error, WecomNetworkError) or (
            isinstance(error, WecomApiError) and error.retry_later
        )
        # The row's _upload is kept until a send succeeds, so the claimed payload
        # tells whether the stored one carries a file.
        stale_media = (
            isinstance(error, WecomApiError)
            and error.errcode == outbox_media.INVALID_MEDIA_ERRCODE
            and outbox_media.has_upload(item.payload)
        )
        change = forget_media if stale_media else None  # upload again next time
        retryable = retryable or stale_media
        if not retryable or item.attempts >= cfg.max_attempts:
            outcome, status, retry_at = "failed", "failed", None
        else:
            limited = isinstance(error, WecomApiError) and error.errcode in RATE_LIMIT_ERRCODES
            outcome, status = "retrying", "pending"
            retry_at = now + backoff(item.attempts, cfg, rate_limited=limited)
    with runtime.unit_of_work() as s:
        if not outbox.record(s, item.id, status, now, last_error, retry_at, change):
            return "gone"  # deleted by an admin meanwhile
    return outcome


def drain_once(runtime: Runtime, client: WecomClient | None = None) -> DrainCounts:
    """Send every row due now (batch by batch); returns how many were sent/retried/failed."""
    client = client or make_client(runtime)
    total = DrainCounts()
    cfg = runtime.config.outbox
    lease = timedelta(seconds=cfg.claim_lease_seconds)
    send_within = lease / 2  # a claimed row is sent only this soon after its claim
    while True:
        claimed_at = runtime.clock()
        with runtime.unit_of_work() as s:  # committed before anything is sent
            batch = outbox.claim_due(s, claimed_at, cfg.batch_size, lease)
        if not batch:
            return total
        for item in batch:
            if runtime.clock() - claimed_at >= send_within:
                # This batch is slow (WeCom timing out): another worker may take the
                # rows whose lease runs out, so leave the rest to it rather than
                # sending them twice. They are sent once the lease has passed.
                break
            error: Exception | None = None
            note = ""
            payload: dict[str, Any] | None = None
            try:
                if export_files.has_export(item.payload):
                    item = replace(item, payload=_build_export(runtime, item))
                payload = outbox_media.sendable(
                    client,
                    item.channel,
                    item.payload,
                    runtime.clock(),
                    functools.partial(_remember_media, runtime, item.id),
                )
                note = deliver(client, replace(item, payload=payload))
            except (WecomApiError, WecomNetworkError) as exc:
                error = exc
            except Exception as exc:  # a malformed payload: keep the row, say why
                log.exception("outbox row %s: unexpected error", item.id)
                error = exc
            outcome = _record(runtime, item, error, note, payload)
            log.info(
                "outbox id=%s channel=%s attempt=%s outcome=%s%s",
                item.id,
                item.channel,
                item.attempts,
                outcome,
                f" error={error}" if error else "",
            )
            total = total + DrainCounts(
                sent=outcome == "sent", retrying=outcome == "retrying", failed=outcome == "failed"
            )


def run(runtime: Runtime, stop_event: threading.Event, poll_seconds: float = 2.0) -> None:
    """Drain the outbox every ``poll_seconds`` until ``stop_event`` is set."""
    client = make_client(runtime)
    log.info("outbox worker started (poll every %.1fs)", poll_seconds)
    while not stop_event.is_set():
        try:
            drain_once(runtime, client)
        except Exception:  # the database went away for a moment: keep the worker alive
            log.exception("outbox pass failed; retrying after the poll interval")
        stop_event.wait(poll_seconds)
    log.info("outbox worker stopped")
