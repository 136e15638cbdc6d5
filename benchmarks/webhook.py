"""Webhook throughput and latency: the full message path beside a bare Flask echo.

    .venv/bin/python benchmarks/webhook.py [--messages 1500] [--users 300] [--concurrency 4]

For SQLite (a temp file) and PostgreSQL (``$MINQING_BENCH_PG_URL`` or
``$MINQING_TEST_PG_URL``, an admin URL; a scratch database is created and dropped),
starts gunicorn with 2 workers (SQLite: sync; PostgreSQL: 4 threads each) on a free 127.0.0.1 port serving the real app plus
``POST /bench/echo`` (bare Flask, returns the body), then posts pre-encrypted text
callbacks from many distinct users to both, and prints messages/s, p50 and p99
latency and the ratio full/echo. Targets (2 cores): p99 < 50 ms, ratio ≥ 40 %.
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
from pathlib import Path

import requests
from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 5
sys.path.insert(0, str(ROOT))

from bot.callback_client import CallbackSigner, SignedCallback  # noqa: E402
from bot.wecom import CallbackCrypto  # noqa: E402
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
import flask
from bot.app import create_app
from bot.server import serve

def factory():
    app = create_app()

    @app.post("/bench/echo")
    def echo():
        return flask.Response(flask.request.get_data(), 200, mimetype="text/plain")

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


def fire(
    url: str, callbacks: list[SignedCallback], concurrency: int, limit_s: float
) -> tuple[float, list[float]]:
    """Post every callback (split over threads); returns (messages/s, latencies in ms)."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + limit_s

    def worker(chunk: list[SignedCallback]) -> None:
        http = requests.Session()
        mine = []
        for cb in chunk:
            if time.monotonic() > stop_at:
                break
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
    return len(latencies) / (time.perf_counter() - started), latencies


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def run(backend: str, args: argparse.Namespace) -> None:
    with database(backend) as url, tempfile.TemporaryDirectory() as tmp:
        prepare(url, args.users)
        config = Path(tmp) / "bench.toml"
        config.write_text(
            CONFIG.format(url=url, corp=CORP, token=TOKEN, key=AES_KEY), encoding="utf-8"
        )
        signer = CallbackSigner(CallbackCrypto(TOKEN, AES_KEY, CORP), 1, random.Random(1))
        rng = random.Random(2)
        callbacks = [
            signer.text(f"u{rng.randrange(args.users):05d}", "帮助") for _ in range(args.messages)
        ]
        warm = [signer.text(f"u{i:05d}", "帮助") for i in range(20)]
        threads = args.threads or (1 if backend == "sqlite" else 4)
        with gunicorn(config, free_port(), threads) as base:
            fire(f"{base}/wecom/callback", warm, 2, 10)
            fire(f"{base}/bench/echo", warm, 2, 10)
            # Alternate short rounds so a load change on a shared machine hits both alike.
            echo_lat: list[float] = []
            full_lat: list[float] = []
            echo_s = full_s = 0.0
            for r in range(ROUNDS):
                part = callbacks[r::ROUNDS]
                cap = args.seconds / ROUNDS
                t0 = time.perf_counter()
                echo_lat += fire(f"{base}/bench/echo", part, args.concurrency, cap)[1]
                t1 = time.perf_counter()
                full_lat += fire(f"{base}/wecom/callback", part, args.concurrency, cap)[1]
                echo_s, full_s = echo_s + t1 - t0, full_s + time.perf_counter() - t1
            echo_rate, full_rate = len(echo_lat) / echo_s, len(full_lat) / full_s
    print(
        f"[{backend}] {len(full_lat)} messages from ≤{args.users} users, "
        f"client concurrency {args.concurrency}, gunicorn 2 workers × {threads} threads"
    )
    print(
        f"  full path : {full_rate:7.1f} msg/s  p50 {pct(full_lat, 50):6.1f} ms  p99 {pct(full_lat, 99):6.1f} ms"
    )
    print(
        f"  bare echo : {echo_rate:7.1f} req/s  p50 {pct(echo_lat, 50):6.1f} ms  p99 {pct(echo_lat, 99):6.1f} ms"
    )
    ok = "OK" if pct(full_lat, 99) < 50 and full_rate / echo_rate >= 0.4 else "BELOW TARGET"
    print(
        f"  ratio full/echo: {full_rate / echo_rate:.0%}  (targets: p99 < 50 ms, ratio ≥ 40 %) {ok}"
    )


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--messages", type=int, default=1500)
    p.add_argument("--users", type=int, default=300)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument(
        "--threads",
        type=int,
        default=0,
        help="threads per worker (default: SQLite 1, PostgreSQL 4)",
    )
    p.add_argument("--seconds", type=float, default=30.0, help="time cap per measurement")
    p.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = p.parse_args()
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        run(backend, args)


if __name__ == "__main__":
    main()
