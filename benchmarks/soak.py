"""Soak under faults: every process of a production deployment, killed and failing.

    .venv/bin/python benchmarks/soak.py [--cadres 50] [--visits 2] [--threads 10]

Needs PostgreSQL: ``$MINQING_TEST_PG_URL`` (an admin URL; a scratch database is
created and dropped). ``.ci/test`` runs it after the suite. Starts, as separate
processes: the fake WeCom failing 10 % of API calls (errcode -1 or HTTP 500) and
timing out on 2 % (delivered, answered after the client gave up), ``minqing serve
--workers 2``, two ``minqing outbox-worker`` and two ``minqing scheduler`` (a 1 s
test job on the lease holder). Imports a roster of 50 cadres with ``minqing
import-roster``, then 50 cadres log 2 whole visits each (1 100 encrypted callbacks)
from 10 threads with keep-alive, with WeCom-style repeats of the same body. Midway
one gunicorn worker and one outbox worker are killed with SIGKILL (the outbox
worker is restarted; gunicorn's master starts a new web worker), and two
``minqing run-job reminders`` race for the same period.

Then checks, from the database and the fake: every callback applied exactly once
and every visit complete; every outbound message delivered exactly once at the
fake; no job period run twice; no outbox row pending, none failed without a
reason. Prints the figures; exit code 0 when every check holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.soak_checks import (  # noqa: E402
    Outcome,
    check_database,
    check_scheduler_logs,
    pending_rows,
)
from benchmarks.soak_traffic import AT_HOME, Traffic, write_roster  # noqa: E402
from bot.clock import wall_now  # noqa: E402
from bot.config import DEFAULT_TIMEZONE  # noqa: E402
from bot.wecom.crypto import CallbackCrypto  # noqa: E402
from scheduler.registry import TEST_JOB_ENV  # noqa: E402
from storage.db import make_engine  # noqa: E402

AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
TOKEN, CORP, SECRET, AGENT = "soak-token", "wwsoak00000000001", "soak-secret", 1000002
CONFIG = """[database]
url = "{url}"
pool_size = 4
[wecom]
corp_id = "{corp}"
token = "{token}"
encoding_aes_key = "{key}"
agent_id = {agent}
secret = "{secret}"
api_base_url = "{fake}"
timeout_seconds = 0.5
[server]
host = "127.0.0.1"
port = {port}
threads = 8
[outbox]
base_backoff_seconds = 0.5
max_backoff_seconds = 3
batch_size = 5
claim_lease_seconds = 8
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(what: str, predicate: Callable[[], bool], seconds: float) -> None:
    """Poll ``predicate`` until it holds; raise naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except (requests.RequestException, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"timed out waiting for {what} ({seconds:.0f} s)")


@contextmanager
def scratch_database(admin: str, keep: bool = False) -> Iterator[str]:
    name = f"minqing_soak_{os.getpid()}"
    engine = make_engine(admin)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        if not keep:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@dataclass
class Processes:
    """The deployment's processes, each logging to its own file under ``logs``."""

    config: Path
    logs: Path
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def minqing(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "bot.cli", "--config", str(self.config), *args]

    def start(self, name: str, args: list[str], env: dict[str, str] | None = None) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        self.running[name] = subprocess.Popen(
            args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def kill(self, name: str) -> None:
        proc = self.running[name]
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)

    def print_tails(self, lines: int = 15) -> None:
        """The end of every process's log (a failed soak's temporary folder is deleted)."""
        for name in self.running:
            tail = self.log(name).splitlines()[-lines:]
            print(f"--- {name}.log (last {len(tail)} lines)\n" + "\n".join(tail), file=sys.stderr)

    def stop_all(self) -> None:
        for proc in self.running.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.running.values():
            try:
                proc.wait(10)  # a graceful stop is not what the soak is about
            except subprocess.TimeoutExpired:
                for child in children(proc.pid):  # gunicorn's workers
                    os.kill(child, signal.SIGKILL)
                proc.kill()
                proc.wait(10)


def children(pid: int) -> list[int]:
    """The process ids whose parent is ``pid`` (gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def run_checked(args: list[str], what: str) -> str:
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return done.stdout


@dataclass
class Midway:
    """The faults at fixed points of the traffic: kills and a race of two run-jobs."""

    procs: Processes
    traffic: Traffic
    events: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def run(self, done: threading.Event) -> None:
        try:
            self._at(0.35, done)
            web_master = self.procs.running["web"].pid
            workers = children(web_master)
            victim = workers[0]
            os.kill(victim, signal.SIGKILL)
            self.events.append(f"SIGKILL web worker {victim} (of {len(workers)})")
            self._at(0.5, done)
            self.procs.kill("outbox-1")
            self.events.append("SIGKILL outbox-1")
            self.procs.start("outbox-1b", self.procs.minqing("outbox-worker", "--poll", "0.2"))
            self.events.append("restarted outbox-1")
            race = [
                subprocess.Popen(
                    self.procs.minqing("run-job", "reminders"),
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
                for _ in range(2)
            ]
            outs = [p.communicate(timeout=120)[0] for p in race]
            if any(p.returncode for p in race):
                self.errors.append(f"run-job reminders failed: {outs}")
            lost = sum("already ran" in o for o in outs)
            self.events.append(f"two run-job reminders raced ({lost} found the period taken)")
            wait_until("a new web worker", lambda: len(children(web_master)) == len(workers), 60)
            replaced = [p for p in children(web_master) if p not in workers]
            self.events.append(f"gunicorn started a new worker {replaced}")
        except Exception as exc:
            self.errors.append(f"midway: {type(exc).__name__}: {exc}")

    def _at(self, share: float, done: threading.Event) -> None:
        target = self.traffic.planned * share
        while self.traffic.figures.unique < target and not done.is_set():
            time.sleep(0.05)


def report_line(name: str, value: object) -> None:
    print(f"  {name:<28} {value}")


def traffic_size(args: argparse.Namespace) -> int:
    return int(args.cadres * args.visits * (len(AT_HOME) + 3))


def soak(admin_url: str, args: argparse.Namespace) -> int:
    started = time.monotonic()

    def say(what: str) -> None:
        print(f"==> soak {time.monotonic() - started:5.1f} s: {what}", flush=True)

    out = Outcome()
    zone = ZoneInfo(DEFAULT_TIMEZONE)
    today = wall_now().astimezone(zone).date()
    with scratch_database(admin_url, bool(args.keep)) as url, tempfile.TemporaryDirectory() as tmp:
        work = Path(args.keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        fake_port, web_port = free_port(), free_port()
        fake = f"http://127.0.0.1:{fake_port}"
        config = work / "soak.toml"
        config.write_text(
            CONFIG.format(
                url=url, corp=CORP, token=TOKEN, key=AES_KEY, agent=AGENT, secret=SECRET,
                fake=fake, port=web_port,
            ),
            encoding="utf-8",
        )  # fmt: skip
        procs = Processes(config, work)
        run_checked(procs.minqing("init-db"), "init-db")
        say("schema ready; the processes start while the roster is imported")
        try:
            procs.start(
                "fake",
                procs.minqing(
                    "fake-wecom", "--port", str(fake_port), "--secret", SECRET,
                    "--failure-rate", str(args.failure_rate), "--timeout-rate",
                    str(args.timeout_rate), "--timeout-seconds", "1.0", "--seed", str(args.seed),
                ),
            )  # fmt: skip
            procs.start("web", procs.minqing("serve", "--workers", "2"))
            for n in (1, 2):
                procs.start(f"outbox-{n}", procs.minqing("outbox-worker", "--poll", "0.2"))
                procs.start(
                    f"scheduler-{n}",
                    procs.minqing("scheduler", "--lease-seconds", "3", "--renew-seconds", "0.5"),
                    env={TEST_JOB_ENV: "1"},
                )
            roster = write_roster(work / "花名册.xlsx", args.cadres, args.visits + 1, today)
            run_checked(procs.minqing("import-roster", str(roster)), "import-roster")
            say(f"{args.cadres} cadres imported")
            wait_until(
                "the fake WeCom", lambda: requests.get(f"{fake}/fake/stats", timeout=2).ok, 60
            )
            base = f"http://127.0.0.1:{web_port}"
            wait_until("minqing serve", lambda: requests.get(f"{base}/healthz", timeout=2).ok, 60)
            wait_until("two web workers", lambda: len(children(procs.running["web"].pid)) == 2, 60)
            say(f"processes up; {traffic_size(args)} callbacks to go")
            traffic = Traffic(
                base, CallbackCrypto(TOKEN, AES_KEY, CORP), AGENT, args.cadres, args.visits,
                args.threads, args.seed,
            )  # fmt: skip
            midway = Midway(procs, traffic)
            done = threading.Event()
            faults = threading.Thread(target=midway.run, args=(done,), name="midway")
            faults.start()
            drive_started = time.monotonic()
            traffic.run()
            drive_seconds = time.monotonic() - drive_started
            say(f"traffic done in {drive_seconds:.1f} s")
            done.set()
            faults.join(180)
            wait_until("the outbox to drain", lambda: pending_rows(url) == 0, 90)
            say("outbox drained")
            stats = requests.get(f"{fake}/fake/stats", timeout=10).json()
            deliveries = requests.get(f"{fake}/fake/deliveries", timeout=10).json()
        except Exception:
            procs.print_tails()
            raise
        finally:
            procs.stop_all()
            say("processes stopped")
        figures = traffic.figures
        out.check(not figures.failures, f"conversations ended saved: {figures.failures[:5]}")
        out.check(not figures.mismatched, f"repeats got the first reply: {figures.mismatched[:5]}")
        out.check(not midway.errors, f"faults injected as planned: {midway.errors}")
        db = check_database(url, traffic, out)
        check_scheduler_logs([procs.log("scheduler-1"), procs.log("scheduler-2")], db["ticks"], out)
        out.check(
            not deliveries["repeats"] and stats["repeated"] == 0,
            f"delivered once at the fake: {deliveries['delivered']} deliveries, "
            f"{len(deliveries['repeats'])} delivered twice",
        )
        out.check(
            deliveries["delivered"] == db["sent_rows"],
            f"every sent row delivered: {deliveries['delivered']} at the fake for "
            f"{db['sent_rows']} sent rows",
        )
        web_log = procs.log("web")
        replays = len(re.findall(r"outcome=replay", web_log))
        repeats = figures.repeats_after + figures.repeats_concurrent
        out.check(
            replays >= repeats, f"repeats answered from the stored reply: {replays} replays logged"
        )
    elapsed = time.monotonic() - started
    print("==> soak figures")
    report_line(
        "callbacks (distinct)",
        f"{figures.unique} from {args.cadres} cadres, {db['ticks']} job ticks",
    )
    report_line("posts answered", figures.posts)
    report_line("callbacks/s", f"{figures.unique / drive_seconds:.1f} (over {drive_seconds:.1f} s)")
    report_line(
        "latency p50 / p99",
        f"{figures.percentile(50) * 1000:.0f} ms / {figures.percentile(99) * 1000:.0f} ms",
    )
    report_line(
        "retries absorbed",
        f"{replays} (repeats: {figures.repeats_concurrent} concurrent, {figures.repeats_after} "
        f"after the answer; {figures.lost_answers} answers lost and posted again)",
    )
    report_line(
        "sends retried",
        f"{db['attempts_retried']} of {db['rows']} outbox rows; faults injected {stats['faults']}",
    )
    report_line(
        "duplicates at the fake",
        f"{stats['repeated']} (dropped by its duplicate check: {stats['duplicates']})",
    )
    report_line("faults", "; ".join(midway.events))
    report_line("elapsed", f"{elapsed:.1f} s")
    for ok, what in out.checks:
        print(f"  {'ok ' if ok else 'FAIL'} {what}")
    print("==> soak " + ("passed" if out.passed else "FAILED"))
    return 0 if out.passed else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cadres", type=int, default=50)
    parser.add_argument("--visits", type=int, default=2, help="whole visits per cadre")
    parser.add_argument("--threads", type=int, default=10)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--failure-rate", type=float, default=0.10)
    parser.add_argument("--timeout-rate", type=float, default=0.02)
    parser.add_argument("--keep", metavar="DIR", help="keep the config and the logs in DIR")
    args = parser.parse_args()
    # Stopped from outside (a CI timeout): unwind, so the processes are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    admin = os.environ.get("MINQING_SOAK_PG_URL") or os.environ.get("MINQING_TEST_PG_URL")
    if not admin:
        print("soak: set MINQING_TEST_PG_URL (a PostgreSQL admin URL)", file=sys.stderr)
        sys.exit(1)
    try:
        sys.exit(soak(admin, args))
    except RuntimeError as exc:
        print(f"==> soak FAILED: {exc} (--keep DIR keeps the logs)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
