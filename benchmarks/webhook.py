"""Webhook throughput and latency: the full message path beside a bare Flask echo.

    .venv/bin/python benchmarks/webhook.py [--messages 1500] [--users 300] [--concurrency 4]

For SQLite (a temp file) and PostgreSQL (``$MINQING_BENCH_PG_URL`` or
``$MINQING_TEST_PG_URL``, an admin URL; a scratch database is created and dropped),
starts gunicorn with 2 workers (SQLite: sync; PostgreSQL: 4 threads each) on a free
127.0.0.1 port serving the real app plus ``POST /bench/echo`` (bare Flask, returns
the body) under the very same server settings, then posts pre-encrypted text
callbacks from many distinct users to both.

Measurement: a warm-up (every worker thread's connection, prepared statements),
then ``--rounds`` rounds (default 3), each posting the same fixed number of
messages (``--messages``) to the echo and to the full path, alternating six
slices of each side so a load change on a shared machine hits both alike. Each
side reports its median round (messages/s, p50, p99); the ratio is median full /
median echo. Also prints the database statements per callback, counted in the
workers. Targets (2 cores): p99 < 50 ms, ratio ≥ 40 %.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.devtools.callback_client import CallbackSigner, SignedCallback  # noqa: E402
from bot.wecom.crypto import CallbackCrypto  # noqa: E402
from storage import schema  # noqa: E402
from storage.db import make_engine, session_factory, unit_of_work  # noqa: E402
from storage.models import Cadre, Unit  # noqa: E402

AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
TOKEN, CORP = "bench-token", "wwbench000000001"
CONFIG = """[database]
url = "{url}"
pool_size = 4
[wecom]
corp_id = "{corp}"
token = "{token}"
encoding_aes_key = "{key}"
api_base_url = "http://127.0.0.1:9"
"""
SERVER = """
import os
import threading
import flask
from sqlalchemy import event
from bot.app import create_app
from bot.gateway import webhook
from bot.gateway.server import serve

def factory():
    app = create_app()
    runtime = app.extensions[webhook.EXTENSION].runtime
    statements = [0]
    lock = threading.Lock()

    def counted(*_args):
        with lock:
            statements[0] += 1

    event.listen(runtime.engine, "before_cursor_execute", counted)

    @app.post("/bench/echo")
    def echo():
        return flask.Response(flask.request.get_data(), 200, mimetype="text/plain")

    @app.get("/bench/statements")
    def count():  # this worker's SQL statements so far
        return flask.Response(f"{{os.getpid()}} {{statements[0]}}", 200, mimetype="text/plain")

    return app

serve({config!r}, "127.0.0.1", {port}, 2, threads={threads}, factory=factory)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    admin = os.environ.get("MINQING_BENCH_PG_URL") or os.environ.get("MINQING_TEST_PG_URL")
    if not admin:
        raise SystemExit("set MINQING_BENCH_PG_URL (or MINQING_TEST_PG_URL) for PostgreSQL")
    name = f"minqing_bench_{os.getpid()}"
    admin_engine = make_engine(admin)
    with admin_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


def prepare(url: str, users: int) -> None:
    engine = make_engine(url)
    schema.upgrade(engine)
    with unit_of_work(session_factory(engine)) as s:
        unit = Unit(name="基准村", kind="村")
        s.add(unit)
        s.flush()
        s.add_all(
            Cadre(userid=f"u{i:05d}", name=f"干部{i}", unit_id=unit.id, role="visitor")
            for i in range(users)
        )
    engine.dispose()


@contextmanager
def gunicorn(config_path: Path, port: int, threads: int) -> Iterator[str]:
    code = SERVER.format(config=str(config_path), port=port, threads=threads)
    proc = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def fire(url: str, callbacks: list[SignedCallback], concurrency: int) -> Round:
    """Post every callback (split over threads); returns the round's rate and latencies."""
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(chunk: list[SignedCallback]) -> None:
        http = requests.Session()
        mine = []
        for cb in chunk:
            t0 = time.perf_counter()
            resp = http.post(url, params=cb.query, data=cb.body, timeout=10)
            mine.append((time.perf_counter() - t0) * 1000)
            if resp.status_code != 200:
                raise SystemExit(f"HTTP {resp.status_code} from {url}")
        with lock:
            latencies.extend(mine)

    threads = [
        threading.Thread(target=worker, args=(callbacks[i::concurrency],))
        for i in range(concurrency)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if len(latencies) != len(callbacks):
        raise SystemExit(f"{url}: {len(callbacks) - len(latencies)} requests failed")
    return Round(len(latencies) / (time.perf_counter() - started), latencies)


@dataclass(frozen=True)
class Round:
    rate: float
    latencies: list[float]

    def pct(self, q: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[q - 1]


SLICES = 6  # a round alternates this many echo and full-path slices


def round_pair(base: str, part: list[SignedCallback], concurrency: int) -> tuple[Round, Round]:
    """One round of both sides, slice by slice (echo, full, echo, full, ...), so a load
    change on a shared machine hits both alike. Returns (echo, full)."""
    done: dict[str, list[Round]] = {"echo": [], "full": []}
    for i in range(SLICES):
        chunk = part[i::SLICES]
        done["echo"].append(fire(f"{base}/bench/echo", chunk, concurrency))
        done["full"].append(fire(f"{base}/wecom/callback", chunk, concurrency))
    merged = []
    for name in ("echo", "full"):
        seconds = sum(len(r.latencies) / r.rate for r in done[name])
        latencies = [ms for r in done[name] for ms in r.latencies]
        merged.append(Round(len(latencies) / seconds, latencies))
    return merged[0], merged[1]


def median_round(rounds: list[Round]) -> Round:
    return sorted(rounds, key=lambda r: r.rate)[len(rounds) // 2]


def statement_counts(base: str, workers: int = 2) -> dict[str, int]:
    """Each worker's SQL statement count so far (fresh connections until all answered)."""
    counts: dict[str, int] = {}
    for _ in range(200):
        pid, count = requests.get(f"{base}/bench/statements", timeout=5).text.split()
        counts[pid] = int(count)
        if len(counts) == workers:
            return counts
    raise SystemExit("could not reach every worker for its statement count")


def run(backend: str, args: argparse.Namespace) -> None:
    with database(backend) as url, tempfile.TemporaryDirectory() as tmp:
        prepare(url, args.users)
        config = Path(tmp) / "bench.toml"
        config.write_text(
            CONFIG.format(url=url, corp=CORP, token=TOKEN, key=AES_KEY), encoding="utf-8"
        )
        signer = CallbackSigner(CallbackCrypto(TOKEN, AES_KEY, CORP), 1, random.Random(1))
        rng = random.Random(2)

        def batch(n: int) -> list[SignedCallback]:
            return [signer.text(f"u{rng.randrange(args.users):05d}", "帮助") for _ in range(n)]

        warm = [signer.text(f"u{i:05d}", "帮助") for i in range(min(args.users, 200))]
        threads = args.threads or (1 if backend == "sqlite" else 4)
        echo: list[Round] = []
        full: list[Round] = []
        with gunicorn(config, free_port(), threads) as base:
            fire(f"{base}/wecom/callback", warm, args.concurrency)
            fire(f"{base}/bench/echo", warm, args.concurrency)
            before = statement_counts(base)
            for _ in range(args.rounds):
                part = batch(args.messages)
                e_round, f_round = round_pair(base, part, args.concurrency)
                echo.append(e_round)
                full.append(f_round)
            after = statement_counts(base)
        per_callback = (sum(after.values()) - sum(before.values())) / (args.rounds * args.messages)
    e, f = median_round(echo), median_round(full)
    ratio = f.rate / e.rate
    print(
        f"[{backend}] {args.rounds} rounds × {args.messages} messages from ≤{args.users} users "
        f"(after {len(warm)} warm-up), client concurrency {args.concurrency}, "
        f"gunicorn 2 workers × {threads} threads; median round of each side"
    )
    for label, r, unit, all_rounds in (
        ("full path", f, "msg/s", full),
        ("bare echo", e, "req/s", echo),
    ):
        rates = ", ".join(f"{x.rate:.0f}" for x in all_rounds)
        print(
            f"  {label} : {r.rate:7.1f} {unit}  p50 {r.pct(50):6.1f} ms  p99 {r.pct(99):6.1f} ms"
            f"  (rounds: {rates})"
        )
    print(
        f"  SQL statements per callback (server-side; SQLite counts its BEGIN IMMEDIATE, psycopg's implicit BEGIN and the COMMIT are not counted): {per_callback:.2f}"
    )
    ok = "OK" if f.pct(99) < 50 and ratio >= 0.4 else "BELOW TARGET"
    print(f"  ratio full/echo: {ratio:.1%}  (targets: p99 < 50 ms, ratio ≥ 40 %) {ok}")


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--messages", type=int, default=600, help="messages per round and side")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--users", type=int, default=300)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument(
        "--threads",
        type=int,
        default=0,
        help="threads per worker (default: SQLite 1, PostgreSQL 4)",
    )
    p.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = p.parse_args()
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        run(backend, args)


if __name__ == "__main__":
    main()
