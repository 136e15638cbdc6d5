"""``/healthz``, ``/readyz`` and ``/metrics`` on the web app (blueprint ``observe``).

- ``GET /healthz``: the process is alive and serving; touches nothing else (200 ``ok``).
- ``GET /readyz``: this worker can do its job: the database answers, its schema is at
  the newest migration, and the outbox is being drained (the oldest due row has waited
  at most ``[server] ready_outbox_lag_seconds``). 200 with a small JSON body, or 503
  with ``reasons``.
- ``GET /metrics``: Prometheus text format. Under ``minqing serve`` the callback
  counters of every gunicorn worker are summed from ``$PROMETHEUS_MULTIPROC_DIR``; the
  rest is read from the database at scrape time (:mod:`bot.observe.collector`).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess

from bot.gateway.metrics import MULTIPROC_ENV, callback_metrics
from bot.observe.collector import DatabaseCollector
from bot.runtime import Runtime
from storage import health

log = logging.getLogger("minqing.observe")
bp = Blueprint("observe", __name__)
EXTENSION = "minqing.observe"


@dataclass(frozen=True)
class Observer:
    runtime: Runtime


def init_app(app: Flask, runtime: Runtime) -> None:
    """Register the probes and /metrics on ``app`` for ``runtime``."""
    callback_metrics()  # a fresh worker shows its callback series at 0 from the start
    app.extensions[EXTENSION] = Observer(runtime)
    app.register_blueprint(bp)


def _observer() -> Observer:
    obs: Observer = current_app.extensions[EXTENSION]
    return obs


@bp.get("/healthz")
def healthz() -> Response:
    return Response("ok", 200, mimetype="text/plain")


def readiness(obs: Observer) -> tuple[bool, dict[str, Any]]:
    """(ready, body): the checks of /readyz, each with its finding."""
    rt = obs.runtime
    reasons: list[str] = []
    checks: dict[str, Any] = {}
    try:
        health.ping(rt.engine)
        checks["database"] = "ok"
    except Exception as exc:
        log.warning("readyz: database unreachable: %s", type(exc).__name__)
        checks["database"] = "unreachable"
        return False, {"status": "not ready", "reasons": ["database unreachable"], **checks}
    state = health.migration_state(rt.engine)
    checks["migration"] = state.current
    if not state.is_current:
        reasons.append(
            f"database at migration {state.current or 'none'}, code needs {state.head} "
            "(run minqing init-db)"
        )
    else:
        with rt.unit_of_work() as s:
            box = health.outbox_health(s, rt.clock())
        limit = rt.config.server.ready_outbox_lag_seconds
        checks["outbox_lag_seconds"] = round(box.lag_seconds, 1)
        checks["outbox_due"] = box.due
        if box.lag_seconds > limit:
            reasons.append(
                f"outbox lag {box.lag_seconds:.0f} s over {limit:.0f} s "
                f"({box.due} due; is an outbox worker running?)"
            )
    if reasons:
        return False, {"status": "not ready", "reasons": reasons, **checks}
    return True, {"status": "ready", **checks}


@bp.get("/readyz")
def readyz() -> Response:
    ready, body = readiness(_observer())
    response = jsonify(body)
    response.status_code = 200 if ready else 503
    return response


@bp.get("/metrics")
def metrics() -> Response:
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.MultiProcessCollector(registry)  # every worker's files, summed
    else:
        mine = callback_metrics()
        registry.register(mine.callbacks)
        registry.register(mine.latency)
    registry.register(DatabaseCollector(_observer().runtime))
    return Response(generate_latest(registry), 200, mimetype=CONTENT_TYPE_LATEST)
