"""A Prometheus collector that reads the database at scrape time.

The outbox worker and the scheduler run in other processes, often on other hosts; the
web worker that answers a scrape cannot see their memory, but it can see the rows they
write. So outbox depth and lag, unsent errcodes, the scheduler lease and each job's
last success are queried (:mod:`storage.health`) when /metrics is read. When the
database does not answer, ``minqing_database_up`` is 0 and the rest is left out
rather than failing the scrape.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from bot.runtime import Runtime
from storage import health

log = logging.getLogger("minqing.metrics")


class DatabaseCollector(Collector):
    """Metric families read from the database on every ``collect()``."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("minqing_database_up", "1 when the database answered this scrape.")
        try:
            families = self._read()
        except Exception as exc:
            log.warning("metrics: database unreachable: %s", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _read(self) -> list[GaugeMetricFamily]:
        now = self.runtime.clock()
        with self.runtime.unit_of_work() as s:
            box = health.outbox_health(s, now)
            errcodes = health.unsent_errcodes(s)
            lease = health.scheduler_lease(s)
            last_success = health.last_success_per_job(s)

        messages = GaugeMetricFamily(
            "minqing_outbox_messages",
            "Outbox rows not sent: pending (due or backing off) and failed (given up).",
            labels=["status"],
        )
        messages.add_metric(["pending"], box.pending)
        messages.add_metric(["failed"], box.failed)
        due = GaugeMetricFamily("minqing_outbox_due_messages", "Pending rows whose time has come.")
        due.add_metric([], box.due)
        lag = GaugeMetricFamily(
            "minqing_outbox_lag_seconds",
            "How long the oldest due outbox row has waited for a sender (0 when none).",
        )
        lag.add_metric([], box.lag_seconds)

        codes = GaugeMetricFamily(
            "minqing_wecom_errcode_messages",
            "Unsent outbox rows by the WeCom errcode of their last attempt "
            "(errcode 'network' for timeouts and connection errors).",
            labels=["errcode"],
        )
        for code, count in sorted(errcodes.items()):
            codes.add_metric([code], count)

        holder = GaugeMetricFamily(
            "minqing_scheduler_lease_held",
            "1 for the process holding the scheduler lease, 0 when its lease has run out.",
            labels=["holder"],
        )
        expires = GaugeMetricFamily(
            "minqing_scheduler_lease_expires_in_seconds",
            "Seconds until the scheduler lease runs out (negative: expired, no leader).",
        )
        if lease is not None:
            remaining = (lease.expires_at - now).total_seconds()
            holder.add_metric([lease.holder], 1 if remaining > 0 else 0)
            expires.add_metric([], remaining)

        jobs = GaugeMetricFamily(
            "minqing_job_last_success_timestamp_seconds",
            "When each scheduled job last finished a run (Unix time).",
            labels=["job"],
        )
        for job, finished in sorted(last_success.items()):
            jobs.add_metric([job], finished.timestamp())
        return [messages, due, lag, codes, holder, expires, jobs]
