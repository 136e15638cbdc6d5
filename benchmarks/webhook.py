"""Callback throughput and latency of ``minqing serve`` beside a bare Flask echo.

    .venv/bin/python benchmarks/webhook.py [--backend both] [--rounds 4] [--households 400]
        [--processes 2] [--threads-per-process 4] [--no-check]

For SQLite (a temp file) and PostgreSQL (``$MINQING_BENCH_PG_URL`` or
``$MINQING_TEST_PG_URL``, an admin URL; a scratch database is created and dropped):

1. A town is generated and imported through the project's own roster import (the demo
   roster generator, ``--households`` targets, ~30 cadres, 6 leaders and an admin).
2. Two gunicorn servers start with the SAME settings as ``minqing serve --workers 2``
   (worker class ``bot.gateway.http_worker.DeadlineThreadWorker``, ``[server] threads``
   threads each): the real app, and a bare Flask app whose ``POST /wecom/callback``
   returns the body (the echo: the floor the HTTP stack allows on this machine).
3. The message mix, pre-encrypted before any timing (bot/devtools/callback_client.py):
   every visiting cadre logs one whole visit per round (11-12 dialog steps; every
   third visit types a difficulty, which files a problem), then sends 进度 and 问题;
   every leader and the admin send 进度 (the unit overview) and 问题. One thread per
   lane, one keep-alive connection per thread, a user's messages all in one lane (in
   order); lanes spread over ``--processes`` client processes (benchmarks/load_client.py).
4. A warm-up round, then ``--rounds`` rounds; in each round the echo gets the very same
   requests just before the app, so a load change on this shared machine hits both
   alike. Every reply of the app is decrypted after the round and checked (a saved
   visit says 已保存, 进度 and 问题 answer as such, no "没有听懂"/"没有找到选项").

Prints, per backend: msg/s, echo req/s, their ratio, p50/p99, the client's own CPU share
(client CPU seconds / (wall × cores)), the server's CPU per message, SQL statements per
callback, and p50/p99 per kind of message; with the load average before and after; on SQLite,
how long the write lock (storage.db.WriterQueue) was held per message.
The echo must reach 2 000 req/s before a ratio is trusted: below that the script warns
and exits 1 (``--no-check`` to print anyway). Targets (issue 15): ratio ≥ 50 %,
p99 < 50 ms.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from load_client import Outcome, Request, children_of, drive, process_cpu_seconds  # noqa: E402

from bot.clock import system_clock  # noqa: E402
from bot.config import ServerConfig  # noqa: E402
from bot.devtools.callback_client import CallbackSigner  # noqa: E402
from bot.wecom.crypto import CallbackCrypto  # noqa: E402
from storage import schema  # noqa: E402
from storage.db import make_engine, session_factory, unit_of_work  # noqa: E402
from storage.models import Cadre  # noqa: E402
from storage.roster import CampaignSpec, commit_plan, prepare  # noqa: E402
from storage.roster.demo import build_demo_roster  # noqa: E402

AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
TOKEN, CORP = "bench-token", "wwbench000000001"
ECHO_FLOOR = 2000.0  # req/s the bare echo must reach before a ratio means anything
TARGET_RATIO, TARGET_P99 = 0.5, 50.0
CONFIG = """[database]
url = "{url}"
[wecom]
corp_id = "{corp}"
token = "{token}"
encoding_aes_key = "{key}"
api_base_url = "http://127.0.0.1:9"
"""
APP_SERVER = """
import os, threading, time, flask
from sqlalchemy import event
from bot.app import create_app
from bot.gateway import webhook
from bot.gateway.server import serve, setup_logging
from storage.db import writer_queue

def factory():
    app = create_app()
    engine = app.extensions[webhook.EXTENSION].runtime.engine
    statements = [0]
    held = [0.0]  # seconds this worker held SQLite's writer queue (the write lock)
    lock = threading.Lock()

    def counted(*_args):
        with lock:
            statements[0] += 1

    event.listen(engine, "before_cursor_execute", counted)
    queue = writer_queue(engine)
    if queue is not None:
        acquire, release, since = queue.acquire, queue.release, threading.local()

        def timed_acquire(*args, **kwargs):
            taken = acquire(*args, **kwargs)
            since.at = time.perf_counter()
            return taken

        def timed_release():
            with lock:
                held[0] += time.perf_counter() - since.at
            release()

        queue.acquire, queue.release = timed_acquire, timed_release

    @app.get("/bench/statements")
    def count():  # this worker's SQL statements and write-lock seconds so far
        body = f"{{os.getpid()}} {{statements[0]}} {{held[0]}}"
        return flask.Response(body, 200, mimetype="text/plain")

    return app

setup_logging()
serve({config!r}, "127.0.0.1", {port}, {workers}, threads={threads}, factory=factory)
"""
ECHO_SERVER = """
import flask
from bot.gateway.server import serve, setup_logging

def factory():
    app = flask.Flask("echo")

    @app.post("/wecom/callback")
    def echo():
        return flask.Response(flask.request.get_data(), 200, mimetype="text/plain")

    @app.get("/healthz")
    def healthz():
        return flask.Response("ok", 200, mimetype="text/plain")

    return app

setup_logging()
serve({config!r}, "127.0.0.1", {port}, {workers}, threads={threads}, factory=factory)
"""
# A whole visit of an at-home household with nothing to report (docs/dialog.md): pick
# the first household on the list, 在家, 是, 家庭正常, no suggestion, three 无异常,
# 宣讲 all, confirm. The problem variant says 有困难 and types it.
PLAIN_VISIT = ("走访", "1", "1", "1", "1", "2", "1", "1", "1", "1", "1")
DIFFICULTIES = (
    "孩子上学路远，希望增加校车班次",
    "老人看病报销手续复杂，希望简化流程",
    "村道路灯坏了好几盏，晚上出行不便",
)
OFF_SCRIPT = ("没有听懂", "没有找到选项", "请至少写两个字")
EXPECT = {
    "进度 cadre": "我的进度",
    "进度 leader": "走访进度",
    "问题 cadre": "问题",
    "问题 leader": "问题",
}


@dataclass(frozen=True)
class Town:
    visitors: list[str]
    leaders: list[str]


@dataclass(frozen=True)
class Planned:
    """One round: lanes of requests, and what each reply must contain ('' = anything)."""

    lanes: list[list[Request]]
    expects: list[list[str]]


def visit_script(problem: str | None) -> list[tuple[str, str, str]]:
    """(text, kind, expected) for one whole visit."""
    words = list(PLAIN_VISIT)
    if problem is not None:
        words = [*words[:4], "2", problem, *words[5:]]
    steps = [(w, "dialog step", "") for w in words]
    steps[-1] = (words[-1], "dialog step", "已保存")
    return steps


def plan_round(
    town: Town, signer: CallbackSigner, number: int, lanes: int, rng: random.Random
) -> Planned:
    scripts: list[tuple[str, list[tuple[str, str, str]]]] = []
    for i, userid in enumerate(town.visitors):
        problem = DIFFICULTIES[i % len(DIFFICULTIES)] if (i + number) % 3 == 0 else None
        steps = visit_script(problem)
        steps += [("进度", "进度 cadre", EXPECT["进度 cadre"])]
        steps += [("问题", "问题 cadre", EXPECT["问题 cadre"])]
        scripts.append((userid, steps))
    for userid in town.leaders:
        steps = [("进度", "进度 leader", EXPECT["进度 leader"])]
        steps += [("问题", "问题 leader", EXPECT["问题 leader"])]
        scripts.append((userid, steps))
    rng.shuffle(scripts)
    plan = Planned([[] for _ in range(lanes)], [[] for _ in range(lanes)])
    for lane in range(lanes):
        mine = scripts[lane::lanes]
        # Round-robin over this lane's users, step by step: each user's steps stay in order.
        for turn in itertools.zip_longest(*(steps for _, steps in mine)):
            for (userid, _), step in zip(mine, turn, strict=True):
                if step is None:
                    continue
                words, kind, expected = step
                cb = signer.text(userid, words)
                plan.lanes[lane].append(Request(cb.path, cb.body, kind))
                plan.expects[lane].append(expected)
    return plan


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


def county_town(url: str, users: int, visits: int) -> Town:
    """The users of a county built by ``benchmarks/scale.py`` (``--db``): ``users``
    visiting cadres with at least ``visits`` households still to visit, and leaders of a
    village, a town and the county (chat_scale's choice). Counts the coverage snapshot
    first, as the scheduler does every minute (a town's and the county's 进度 read it)."""
    from chat_scale import count_snapshot, pick_users
    from sqlalchemy import func

    from storage.models import Assignment, Visit

    count_snapshot(url)
    chosen = pick_users(url, 10**6, seed=7)
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as s:
        left = func.count(Assignment.target_id)
        unvisited = ~select(Visit.id).where(Visit.target_id == Assignment.target_id).exists()
        busy = set(
            s.scalars(
                select(Cadre.userid)
                .join(Assignment, Assignment.cadre_id == Cadre.id)
                .where(unvisited, Cadre.userid.in_(chosen.visitors))
                .group_by(Cadre.userid)
                .having(left >= visits)
            )
        )
    engine.dispose()
    visitors = [u for u in chosen.visitors if u in busy][:users]
    return Town(visitors=visitors, leaders=[u for u, _ in chosen.leaders][: max(1, users // 5)])


def build_town(url: str, households: int, tmp: Path) -> Town:
    """The demo roster with ``households`` targets, imported as an administrator would."""
    now = system_clock()()
    workbook = build_demo_roster(tmp / "roster.xlsx", now.date(), targets=households)
    engine = make_engine(url)
    schema.upgrade(engine)
    with unit_of_work(session_factory(engine)) as s:
        prepared = prepare(s, workbook)
        assert prepared.ok, [str(p) for p in prepared.problems[:5]]
        commit_plan(s, prepared, CampaignSpec("民情大走访", "yizou_erwen_sankan", 0), now, "bench")
    with unit_of_work(session_factory(engine)) as s:
        cadres = s.execute(select(Cadre.userid, Cadre.role).where(Cadre.active)).all()
    engine.dispose()
    return Town(
        visitors=sorted(u for u, role in cadres if role == "visitor"),
        leaders=sorted(u for u, role in cadres if role in ("leader", "admin")),
    )


def _get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)  # a new connection
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read().decode()
    finally:
        conn.close()


@contextmanager
def gunicorn(code: str, port: int, log: Path) -> Iterator[int]:
    """Start a server script; yields the master's pid once /healthz answers."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", code], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit(f"gunicorn did not start; see {log}:\n{log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def statement_count(port: int, workers: int) -> tuple[int, float]:
    """All workers' SQL statements and seconds holding SQLite's write lock so far (fresh
    connections until every worker answered)."""
    counts: dict[str, tuple[int, float]] = {}
    for _ in range(500):
        pid, count, held = _get(port, "/bench/statements")[1].split()
        counts[pid] = (int(count), float(held))
        if len(counts) == workers:
            return sum(c for c, _ in counts.values()), sum(h for _, h in counts.values())
    raise SystemExit("could not reach every worker for its statement count")


def workers_cpu(master: int) -> float:
    return sum(process_cpu_seconds(pid) for pid in children_of(master))


def start_profilers(master: int, backend: str, folder: str) -> list[subprocess.Popen[bytes]]:
    """py-spy (pip install py-spy) sampling each app worker over the timed rounds."""
    if not folder:
        return []
    spy = Path(sys.executable).parent / "py-spy"
    Path(folder).mkdir(parents=True, exist_ok=True)
    return [
        subprocess.Popen(
            [
                str(spy),
                "record",
                "--pid",
                str(pid),
                "--rate",
                "200",
                "--format",
                "raw",
                "--nonblocking",
                "--output",
                str(Path(folder) / f"{backend}-{pid}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in children_of(master)
    ]


def stop_profilers(profilers: list[subprocess.Popen[bytes]]) -> None:
    for spy in profilers:
        spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
    for spy in profilers:
        spy.wait(timeout=60)


def check_replies(plan: Planned, outcome: Outcome, signer: CallbackSigner) -> list[str]:
    """Replies that went off the script (wrong answer, or a dialog fallback)."""
    wrong = []
    for lane, bodies, expects in zip(plan.lanes, outcome.bodies, plan.expects, strict=True):
        for req, body, expected in zip(lane, bodies, expects, strict=True):
            reply = signer.reply_text(body)
            if (expected and expected not in reply) or any(m in reply for m in OFF_SCRIPT):
                wrong.append(f"{req.kind}: {reply[:80]!r}")
    return wrong


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


@dataclass
class Side:
    outcomes: list[Outcome]
    server_cpu: float = 0.0

    @property
    def count(self) -> int:
        return sum(o.count for o in self.outcomes)

    @property
    def wall(self) -> float:
        return sum(o.wall for o in self.outcomes)

    @property
    def rate(self) -> float:
        return self.count / self.wall

    def latencies(self, kind: str | None = None) -> list[float]:
        if kind is None:
            return [ms for o in self.outcomes for ms in o.all_latencies()]
        return [ms for o in self.outcomes for ms in o.latencies.get(kind, [])]

    def client_share(self) -> float:
        cpu = sum(o.client_cpu for o in self.outcomes)
        return cpu / (self.wall * (os.cpu_count() or 1))


@dataclass(frozen=True)
class Result:
    backend: str
    app: Side
    echo: Side
    statements: float
    lock_held: float  # seconds SQLite's write lock was held per message (0: PostgreSQL)
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    wrong: list[str]
    messages: int
    users: int


def run(backend: str, args: argparse.Namespace) -> Result:
    lanes = args.processes * args.threads_per_process
    threads = args.threads or ServerConfig().threads
    with (
        nullcontext(args.db) if args.db else database(backend) as url,
        tempfile.TemporaryDirectory() as tmp_name,
    ):
        tmp = Path(tmp_name)
        if args.db:
            town = county_town(url, args.users, args.rounds + 1)
        else:
            town = build_town(url, args.households, tmp)
        config = tmp / "bench.toml"
        config.write_text(
            CONFIG.format(url=url, corp=CORP, token=TOKEN, key=AES_KEY), encoding="utf-8"
        )
        signer = CallbackSigner(CallbackCrypto(TOKEN, AES_KEY, CORP), 1, random.Random(1))
        signer.now = int(system_clock()().timestamp())
        rng = random.Random(2)
        plans = [plan_round(town, signer, n, lanes, rng) for n in range(args.rounds + 1)]
        app_port, echo_port = free_port(), free_port()
        fmt = {"config": str(config), "workers": args.workers, "threads": threads}
        app_code = APP_SERVER.format(port=app_port, **fmt)
        echo_code = ECHO_SERVER.format(port=echo_port, **fmt)
        with (
            gunicorn(app_code, app_port, tmp / "app.log") as app_pid,
            gunicorn(echo_code, echo_port, tmp / "echo.log") as echo_pid,
        ):
            warm, *timed = plans
            drive("127.0.0.1", echo_port, warm.lanes, args.processes)
            wrong = check_replies(
                warm, drive("127.0.0.1", app_port, warm.lanes, args.processes, True), signer
            )
            load_before = os.getloadavg()
            profilers = start_profilers(app_pid, backend, args.profile)
            before = statement_count(app_port, args.workers)
            app, echo = Side([]), Side([])
            for plan in timed:
                cpu0 = workers_cpu(echo_pid)
                echo.outcomes.append(drive("127.0.0.1", echo_port, plan.lanes, args.processes))
                echo.server_cpu += workers_cpu(echo_pid) - cpu0
                cpu0 = workers_cpu(app_pid)
                outcome = drive("127.0.0.1", app_port, plan.lanes, args.processes, True)
                app.server_cpu += workers_cpu(app_pid) - cpu0
                app.outcomes.append(outcome)
                wrong += check_replies(plan, outcome, signer)
            stop_profilers(profilers)
            after = statement_count(app_port, args.workers)
            statements = (after[0] - before[0]) / app.count
            lock_held = (after[1] - before[1]) / app.count
            load_after = os.getloadavg()
    failures = sum(o.failures for o in app.outcomes + echo.outcomes)
    if failures:
        raise SystemExit(f"[{backend}] {failures} requests answered with a status other than 200")
    return Result(
        backend,
        app,
        echo,
        statements,
        lock_held,
        load_before,
        load_after,
        wrong,
        app.count // args.rounds,
        len(town.visitors) + len(town.leaders),
    )


def report(results: list[Result], args: argparse.Namespace) -> int:
    """Print the tables; returns the exit status (1: the echo is too slow to trust)."""
    threads = args.threads or ServerConfig().threads
    lanes = args.processes * args.threads_per_process
    print(
        f"\nminqing serve --workers {args.workers} (threads {threads}, DeadlineThreadWorker) "
        f"vs bare Flask echo under the same gunicorn; "
        f"{'the county of ' + args.db.rsplit('/', 1)[-1] if args.db else args.households} "
        "households; "
        f"client: {args.processes} processes × {args.threads_per_process} threads "
        f"= {lanes} keep-alive connections; {os.cpu_count()} cores; "
        f"{args.rounds} rounds after a warm-up"
    )
    print(
        "\n| backend | messages | minqing msg/s | echo req/s | ratio | p50 / p99 ms "
        "| echo p50 / p99 ms | client CPU | server CPU ms/msg (echo) | SQL/msg | load avg |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    status = 0
    for r in results:
        a, e = r.app, r.echo
        ratio = a.rate / e.rate
        load = "{:.2f} {:.2f} {:.2f}".format(*r.load_before)
        print(
            f"| {r.backend} | {a.count} ({r.messages}/round, {r.users} users) "
            f"| {a.rate:.0f} | {e.rate:.0f} | **{ratio:.0%}** "
            f"| {pct(a.latencies(), 50):.1f} / {pct(a.latencies(), 99):.1f} "
            f"| {pct(e.latencies(), 50):.1f} / {pct(e.latencies(), 99):.1f} "
            f"| {a.client_share():.0%} (echo {e.client_share():.0%}) "
            f"| {a.server_cpu * 1000 / a.count:.2f} ({e.server_cpu * 1000 / e.count:.2f}) "
            f"| {r.statements:.1f} | {load} |"
        )
    for r in results:
        print(f"\n[{r.backend}] minqing by kind of message (ms):")
        print("| kind | count | p50 | p99 | max |")
        print("| --- | --- | --- | --- | --- |")
        for kind in sorted({k for o in r.app.outcomes for k in o.latencies}):
            values = r.app.latencies(kind)
            print(
                f"| {kind} | {len(values)} | {pct(values, 50):.1f} | {pct(values, 99):.1f} "
                f"| {max(values):.1f} |"
            )
        rates = ", ".join(
            f"{o.rate:.0f}/{e.rate:.0f}"
            for o, e in zip(r.app.outcomes, r.echo.outcomes, strict=True)
        )
        print(f"  rounds (minqing/echo per s): {rates}")
        if r.lock_held:
            busy = r.lock_held * r.app.count / r.app.wall
            print(
                f"  SQLite write lock held {r.lock_held * 1000:.2f} ms per message "
                f"({busy:.0%} of the timed wall clock)"
            )
        print(
            "  load average before / after: {:.2f} {:.2f} {:.2f} / ".format(*r.load_before)
            + "{:.2f} {:.2f} {:.2f}".format(*r.load_after)
        )
        if r.wrong:
            print(f"  WARNING: {len(r.wrong)} replies off the script, e.g. {r.wrong[:3]}")
            status = 1
        ratio = r.app.rate / r.echo.rate
        p99 = pct(r.app.latencies(), 99)
        ok = ratio >= TARGET_RATIO and p99 < TARGET_P99
        print(
            f"  targets: ratio ≥ {TARGET_RATIO:.0%} and p99 < {TARGET_P99:.0f} ms: "
            f"{'MET' if ok else 'NOT MET'} (ratio {ratio:.0%}, p99 {p99:.1f} ms)"
        )
        if r.echo.rate < ECHO_FLOOR:
            print(
                f"  WARNING: the echo reached {r.echo.rate:.0f} req/s < {ECHO_FLOOR:.0f}: the "
                "machine (or the client) is too busy for the ratio to mean much."
            )
            if not args.no_check:
                status = 1
    return status


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    p.add_argument("--rounds", type=int, default=4, help="timed rounds (each ~1 visit per cadre)")
    p.add_argument("--households", type=int, default=400)
    p.add_argument(
        "--db", default="", help="a county built by benchmarks/scale.py (its users; changed!)"
    )
    p.add_argument("--users", type=int, default=25, help="with --db: visiting cadres in the mix")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=0, help="per worker (default [server] threads)")
    p.add_argument("--processes", type=int, default=2, help="client processes")
    p.add_argument("--threads-per-process", type=int, default=4)
    p.add_argument("--profile", default="", help="folder for py-spy profiles of the workers")
    p.add_argument("--no-check", action="store_true", help="exit 0 even if the echo is slow")
    args = p.parse_args()
    if args.rounds + 1 > 12:
        raise SystemExit("at most 11 rounds: a cadre of the demo roster has ~16 households")
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    if args.db:
        backends = (make_url(args.db).get_backend_name(),)
    results = [run(b, args) for b in backends]
    sys.exit(report(results, args))


if __name__ == "__main__":
    main()
