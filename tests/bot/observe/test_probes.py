"""/healthz, /readyz and an in-process /metrics scrape on the real app (frozen clock).

Each test runs on SQLite and PostgreSQL; the outbox, the lease and job runs are
written through storage/ as the worker and the scheduler would write them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from flask import Flask
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from bot import config as config_mod
from bot.app import create_app
from bot.runtime import Runtime
from storage import health, leases, outbox
from storage.runs import claim_run, finish_run
from tests.support.clock import FROZEN_NOW
from tests.support.config import config_dict
from tests.support.wecom import WecomTestClient


def samples(app: Flask) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """GET /metrics, parsed by prometheus_client's own parser: (name, labels) -> value."""
    resp = app.test_client().get("/metrics")
    assert resp.status_code == 200
    assert resp.mimetype == "text/plain"
    out = {}
    for family in text_string_to_metric_families(resp.get_data(as_text=True)):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def queue(rt: Runtime, due_ago: timedelta, last_error: str = "", status: str = "pending") -> None:
    with rt.unit_of_work() as s:
        row = outbox.enqueue(s, "message", "zhangsan", outbox.text_payload("hi"), FROZEN_NOW)
        assert row is not None
        row.next_attempt_at = FROZEN_NOW - due_ago
        row.last_error, row.status = last_error, status


@contextmanager
def migration_stamped(rt: Runtime, revision: str) -> Iterator[None]:
    """The database claims to be at ``revision`` for the block (restored afterwards)."""
    head = health.shipped_head()
    with rt.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    try:
        yield
    finally:
        with rt.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": head})


def test_healthz_answers_without_the_database() -> None:
    # Nothing listens on port 1: every connection is refused at once.
    dead = config_mod.from_dict(
        config_dict("postgresql+psycopg://postgres@127.0.0.1:1/gone"), environ={}
    )
    runtime = Runtime.from_config(dead, clock=lambda: FROZEN_NOW)
    app = create_app(runtime=runtime)
    resp = app.test_client().get("/healthz")
    assert (resp.status_code, resp.get_data(as_text=True)) == (200, "ok")
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["reasons"] == ["database unreachable"]
    scraped = samples(app)  # a scrape still answers and says the database is down
    assert scraped[("minqing_database_up", ())] == 0
    assert ("minqing_outbox_lag_seconds", ()) not in scraped
    runtime.close()


def test_readyz_ready_with_a_fresh_outbox_row(app: Flask, runtime: Runtime) -> None:
    queue(runtime, due_ago=timedelta(seconds=30))  # due for 30 s: within 300 s
    resp = app.test_client().get("/readyz")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "ready"
    assert body["migration"] == health.shipped_head()
    assert (body["outbox_lag_seconds"], body["outbox_due"]) == (30.0, 1)


def test_readyz_not_ready_when_the_outbox_lags(app: Flask, runtime: Runtime) -> None:
    queue(runtime, due_ago=timedelta(seconds=10))
    queue(runtime, due_ago=timedelta(seconds=301))  # over [server] ready_outbox_lag_seconds
    queue(runtime, due_ago=-timedelta(hours=1))  # backing off: not due, not lag
    queue(runtime, due_ago=timedelta(days=3), status="failed")  # given up: not lag either
    resp = app.test_client().get("/readyz")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["status"] == "not ready"
    assert body["outbox_lag_seconds"] == 301.0
    assert body["reasons"] == ["outbox lag 301 s over 300 s (2 due; is an outbox worker running?)"]


def test_readyz_not_ready_when_migrations_are_behind(app: Flask, runtime: Runtime) -> None:
    with migration_stamped(runtime, "0001"):
        resp = app.test_client().get("/readyz")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["migration"] == "0001"
    assert body["reasons"] == [
        f"database at migration 0001, code needs {health.shipped_head()} (run minqing init-db)"
    ]
    assert app.test_client().get("/readyz").status_code == 200  # restored: ready again


def test_metrics_count_callbacks_and_read_the_database(
    app: Flask, wc: WecomTestClient, cadre: str, runtime: Runtime
) -> None:
    before = samples(app)
    wc.say(cadre, "帮助")
    wc.say("stranger", "帮助")
    cb = wc.signer.text(cadre, "帮助")
    forged = cb.path.replace("msg_signature=", "msg_signature=0")  # a bad signature
    assert wc.client.post(forged, data=cb.body).status_code == 403
    queue(runtime, timedelta(seconds=40), "message/send: errcode 60020: not allow to access")
    queue(runtime, timedelta(seconds=5), "message/send: errcode 60020: not allow to access")
    queue(runtime, timedelta(0), "ReadTimeout: timed out", status="failed")
    with runtime.unit_of_work() as s:
        assert leases.acquire(s, leases.SCHEDULER_LEASE, "host-a:4242", FROZEN_NOW, 60)
        assert claim_run(s, "digest:daily:2026-11-22", "digest_daily", FROZEN_NOW)
        finish_run(s, "digest:daily:2026-11-22", FROZEN_NOW, "3 message(s)")
        assert claim_run(s, "reminders:2026-11-23", "reminders", FROZEN_NOW)  # never finished

    after = samples(app)

    def delta(outcome: str) -> float:
        key = ("minqing_callbacks_total", (("outcome", outcome),))
        return after[key] - before[key]

    assert (delta("applied"), delta("unknown_user"), delta("forbidden")) == (1, 1, 1)
    assert delta("replay") == 0
    count = ("minqing_callback_seconds_count", ())
    assert after[count] - before[count] == 3
    assert after[("minqing_database_up", ())] == 1
    assert after[("minqing_outbox_messages", (("status", "pending"),))] == 2
    assert after[("minqing_outbox_messages", (("status", "failed"),))] == 1
    assert after[("minqing_outbox_due_messages", ())] == 2
    assert after[("minqing_outbox_lag_seconds", ())] == 40
    assert after[("minqing_wecom_errcode_messages", (("errcode", "60020"),))] == 2
    assert after[("minqing_wecom_errcode_messages", (("errcode", "network"),))] == 1
    assert after[("minqing_scheduler_lease_held", (("holder", "host-a:4242"),))] == 1
    assert after[("minqing_scheduler_lease_expires_in_seconds", ())] == 60
    jobs = {
        k[1]: v for k, v in after.items() if k[0] == "minqing_job_last_success_timestamp_seconds"
    }
    assert jobs == {(("job", "digest_daily"),): FROZEN_NOW.timestamp()}
