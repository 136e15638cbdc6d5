"""The load client of benchmarks/webhook.py: several processes, keep-alive connections.

A client written with ``requests`` in one process tops out near 900 requests/s on this
2-core machine: it measures itself, not the server. This one forks ``processes``
client processes (no GIL shared between them), each running its share of *lanes* in
threads; a lane is an ordered list of prepared requests sent back to back on ONE
persistent ``http.client`` connection (HTTP/1.1 keep-alive), so a user's messages stay
in order when all of that user's messages are in one lane.

Everything is prepared before the clock starts (bodies are bytes, paths are strings);
the children wait on one event, and each reports its own CPU time
(``resource.getrusage``) over the timed part, so the report can say how much of the
machine the client itself took.
"""

from __future__ import annotations

import http.client
import multiprocessing as mp
import os
import resource
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Request:
    """One POST: ``path`` with its query string, the body, a label for the report."""

    path: str
    body: bytes
    kind: str = ""


@dataclass
class Outcome:
    """One side's run: wall seconds, per-request latencies (ms) by kind, the clients'
    CPU seconds, and (when asked) every response body in lane order."""

    wall: float
    latencies: dict[str, list[float]]
    client_cpu: float
    failures: int
    bodies: list[list[bytes]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def rate(self) -> float:
        return self.count / self.wall

    def all_latencies(self) -> list[float]:
        return [ms for values in self.latencies.values() for ms in values]


def _send(conn: http.client.HTTPConnection, req: Request) -> tuple[int, bytes]:
    conn.request(
        "POST",
        req.path,
        body=req.body,
        headers={"Content-Type": "text/xml", "Connection": "keep-alive"},
    )
    resp = conn.getresponse()
    return resp.status, resp.read()


def _lane(
    host: str, port: int, lane: list[Request], keep: bool, out: dict[str, Any], lock: Any
) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.connect()
    latencies: dict[str, list[float]] = {}
    bodies: list[bytes] = []
    failures = 0
    for req in lane:
        started = time.perf_counter()
        try:
            status, body = _send(conn, req)
        except (http.client.HTTPException, OSError):
            # The server closed an idle kept-alive connection: reconnect once. A callback
            # that did reach the server is deduplicated there (WeCom retries the same way).
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
            status, body = _send(conn, req)
        latencies.setdefault(req.kind, []).append((time.perf_counter() - started) * 1000)
        failures += status != 200
        if keep:
            bodies.append(body)
    conn.close()
    with lock:
        for kind, values in latencies.items():
            out["latencies"].setdefault(kind, []).extend(values)
        out["failures"] += failures
        out["bodies"][id(lane)] = bodies


def _child(
    host: str, port: int, lanes: list[list[Request]], keep: bool, go: Any, results: Any
) -> None:
    out: dict[str, Any] = {"latencies": {}, "failures": 0, "bodies": {}}
    lock = threading.Lock()
    threads = [
        threading.Thread(target=_lane, args=(host, port, lane, keep, out, lock)) for lane in lanes
    ]
    go.wait()
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()  # CLOCK_MONOTONIC: comparable between processes
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ended = time.monotonic()
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    bodies = [out["bodies"].get(id(lane), []) for lane in lanes]
    results.put((os.getpid(), started, ended, cpu, out["latencies"], out["failures"], bodies))


def drive(
    host: str, port: int, lanes: list[list[Request]], processes: int, keep_bodies: bool = False
) -> Outcome:
    """Send every lane (one thread and one connection each) from ``processes`` forked
    client processes at once; returns when all are answered.

    Lane ``i`` goes to process ``i % processes``; with ``keep_bodies`` the outcome's
    ``bodies[i]`` are lane ``i``'s responses in order.
    """
    ctx = mp.get_context("fork")
    go = ctx.Event()
    results = ctx.Queue()
    shares = [list(range(p, len(lanes), processes)) for p in range(processes)]
    children = [
        ctx.Process(
            target=_child,
            args=(host, port, [lanes[i] for i in share], keep_bodies, go, results),
            daemon=True,
        )
        for share in shares
        if share
    ]
    for c in children:
        c.start()
    go.set()
    reports = [results.get(timeout=600) for _ in children]
    for c in children:
        c.join(timeout=30)
    by_pid = {r[0]: r for r in reports}
    latencies: dict[str, list[float]] = {}
    bodies: list[list[bytes]] = [[] for _ in lanes]
    for share, child in zip([s for s in shares if s], children, strict=True):
        _pid, _s, _e, _cpu, lat, _f, lane_bodies = by_pid[child.pid]
        for kind, values in lat.items():
            latencies.setdefault(kind, []).extend(values)
        for i, b in zip(share, lane_bodies, strict=True):
            bodies[i] = b
    return Outcome(
        wall=max(r[2] for r in reports) - min(r[1] for r in reports),
        latencies=latencies,
        client_cpu=sum(r[3] for r in reports),
        failures=sum(r[5] for r in reports),
        bodies=bodies if keep_bodies else [],
    )


def process_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` (Linux /proc)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def children_of(pid: int) -> list[int]:
    """The live child processes of ``pid`` (gunicorn's workers of a master)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if ppid == pid:
            found.append(int(entry))
    return found
