"""The callback path's own metrics: a counter by outcome and a latency histogram.

These are the only figures kept in process memory, because only the web worker sees
them; everything else /metrics shows is read from the database at scrape time
(:mod:`bot.observe.collector`). Under ``minqing serve`` each gunicorn worker writes
its values to files in ``$PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's
multiprocess mode) and a scrape of any worker sums them all. The hot path pays one
counter increment and one histogram observation.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

from prometheus_client import Counter, Histogram, values

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# What happened to a POST /wecom/callback: apply_callback's words, and the refusals.
OUTCOMES = ("applied", "replay", "unknown_user", "bad_request", "forbidden", "error")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True)
class CallbackMetrics:
    callbacks: Counter
    latency: Histogram

    def observe(self, outcome: str, seconds: float) -> None:
        self.callbacks.labels(outcome).inc()
        self.latency.observe(seconds)


@cache
def callback_metrics() -> CallbackMetrics:
    """This process's callback metrics, created on first use (after gunicorn forked).

    They are registered nowhere: /metrics collects them, or the workers' files, into
    a registry of its own per scrape (:mod:`bot.observe.routes`).
    """
    if os.environ.get(MULTIPROC_ENV) and values.ValueClass is values.MutexValue:
        # prometheus_client chose in-memory values when it was first imported, before
        # `minqing serve` set the directory: choose again so workers write files.
        values.ValueClass = values.get_value_class()
    callbacks = Counter(
        "minqing_callbacks",
        "POST /wecom/callback requests by outcome.",
        ["outcome"],
        registry=None,
    )
    for outcome in OUTCOMES:
        callbacks.labels(outcome)  # every outcome shows, at 0 until it happens
    latency = Histogram(
        "minqing_callback_seconds",
        "Time to answer a POST /wecom/callback, from the first line of the view to the reply.",
        buckets=LATENCY_BUCKETS,
        registry=None,
    )
    return CallbackMetrics(callbacks, latency)
