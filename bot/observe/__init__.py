"""Health probes and Prometheus metrics: ``/healthz``, ``/readyz`` and ``/metrics``.

:mod:`bot.observe.routes` serves them; :mod:`bot.observe.collector` turns the
database's view of the outbox, the scheduler lease and job runs into metric families
at scrape time; the callback counters themselves live on the hot path in
:mod:`bot.gateway.metrics`. docs/operations.md lists every metric.
"""
