"""Every chat command's latency through the real webhook, on a built county.

    .venv/bin/python benchmarks/chat_scale.py --db URL [--visitors 30] [--rounds 5]
    (or ``benchmarks/scale.py --db URL --reuse --only chat``)

Starts the real app under gunicorn exactly as ``benchmarks/webhook.py`` does
(``minqing serve --workers 2`` settings) on an already built database (the county of
``benchmarks/scale.py``), then sends each chat command as real encrypted callbacks:
visiting cadres 帮助, 进度, 问题, 走访 (the household list), a dialog step (pick the first
household, 在家), 取消 and its confirmation; leaders of a village, a town and the county 帮助, 进度 (their unit's
overview: a town's and the county's read the minute's coverage snapshot, which is counted
first as the scheduler would), 问题 (their scope's ledger). ``--lanes`` keep-alive connections send at
once (a light load: this measures latency, not throughput). Every reply is decrypted
and checked; prints p50 / p95 / max per command and the level of the leader.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for folder in (ROOT, ROOT / "benchmarks"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from load_client import Request, drive  # noqa: E402
from webhook import (  # noqa: E402
    AES_KEY,
    APP_SERVER,
    CONFIG,
    CORP,
    OFF_SCRIPT,
    TOKEN,
    free_port,
    gunicorn,
    pct,
)

from bot.clock import system_clock  # noqa: E402
from bot.config import ServerConfig  # noqa: E402
from bot.devtools.callback_client import CallbackSigner  # noqa: E402
from bot.wecom.crypto import CallbackCrypto  # noqa: E402

LEVELS = {"县": "县", "镇": "镇", "村": "村", "社区": "村"}
VISITOR_SCRIPT = (
    ("帮助", "帮助", "走访"),
    ("进度", "进度 cadre", "我的进度"),
    ("问题", "问题 cadre", "问题"),
    ("走访", "走访 (the list)", "待走访"),
    ("1", "dialog step", "吗？"),
    ("1", "dialog step", ""),
    ("取消", "取消", "放弃"),
    ("1", "dialog step", "已放弃"),
)
LEADER_SCRIPT = (
    ("帮助", "帮助", ""),
    ("进度", "进度 leader {level}", "走访进度"),
    ("问题", "问题 leader {level}", "问题"),
)


@dataclass(frozen=True)
class Users:
    visitors: list[str]
    leaders: list[tuple[str, str]]  # (userid, level)


def pick_users(url: str, visitors: int, seed: int) -> Users:
    """``visitors`` visiting cadres at random, and leaders of each level: the county's,
    up to three towns' and up to six villages'."""
    from sqlalchemy import exists, select

    from storage.db import make_engine, session_factory, unit_of_work
    from storage.models import Assignment, Cadre, Unit, Visit

    rng = random.Random(seed)
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as s:
        rows = s.execute(
            select(Cadre.userid, Cadre.role, Unit.kind)
            .join(Unit, Unit.id == Cadre.unit_id)
            .where(Cadre.active)
            .order_by(Cadre.userid)
        ).all()
        unvisited = exists().where(Visit.target_id == Assignment.target_id)
        with_work = set(
            s.scalars(
                select(Cadre.userid)
                .join(Assignment, Assignment.cadre_id == Cadre.id)
                .where(Cadre.role == "visitor", ~unvisited)
                .distinct()
            )
        )
    engine.dispose()
    # Visitors with a household still to visit: their 走访 starts a visit.
    plain = [u for u, role, _ in rows if role == "visitor" and u in with_work]
    by_level: dict[str, list[str]] = {}
    for userid, role, kind in rows:
        if role == "leader" and kind in LEVELS:
            by_level.setdefault(LEVELS[kind], []).append(userid)
    leaders: list[tuple[str, str]] = []
    for level, take in (("县", 1), ("镇", 3), ("村", 6)):
        found = by_level.get(level, [])
        leaders += [(u, level) for u in rng.sample(found, min(take, len(found)))]
    return Users(rng.sample(plain, min(visitors, len(plain))), leaders)


def plan(
    users: Users, signer: CallbackSigner, rounds: int, lanes: int
) -> tuple[list[list[Request]], list[list[str]]]:
    """Lanes of requests (each user's script ``rounds`` times, in order, in one lane)
    and what each reply must contain."""
    scripts: list[list[tuple[str, str, str, str]]] = []
    for userid in users.visitors:
        scripts.append([(userid, w, k, e) for w, k, e in VISITOR_SCRIPT] * rounds)
    for userid, level in users.leaders:
        steps = [(userid, w, k.format(level=level), e) for w, k, e in LEADER_SCRIPT]
        scripts.append(steps * rounds)
    out: list[list[Request]] = [[] for _ in range(lanes)]
    expects: list[list[str]] = [[] for _ in range(lanes)]
    for i, script in enumerate(scripts):
        for userid, words, kind, expected in script:
            cb = signer.text(userid, words)
            out[i % lanes].append(Request(cb.path, cb.body, kind))
            expects[i % lanes].append(expected)
    return out, expects


def count_snapshot(url: str) -> float:
    """What the scheduler's ``coverage_snapshot`` job does every minute (a town's or the
    county's 进度 reads its coverage cells and problem counts); returns its seconds."""
    import time

    from bot import config as config_mod
    from scheduler import coverage_snapshot
    from storage.db import make_engine, session_factory, unit_of_work

    config = config_mod.from_dict(
        {
            "database": {"url": url},
            "wecom": {"corp_id": "c", "token": "t", "encoding_aes_key": "a" * 43},
        },
        environ={},
    )
    engine = make_engine(url)
    began = time.perf_counter()
    with unit_of_work(session_factory(engine)) as s:
        coverage_snapshot.run(s, system_clock()(), config)
    engine.dispose()
    return time.perf_counter() - began


def measure(url: str, visitors: int = 30, rounds: int = 5, lanes: int = 4, seed: int = 7) -> str:
    """Run the commands against ``url``; returns the Markdown table."""
    users = pick_users(url, visitors, seed)
    snapshot_seconds = count_snapshot(url)
    # MsgIds from fresh entropy: a second run on the same database must not meet the
    # first run's ids (it would be answered from the dedupe table, in no time).
    signer = CallbackSigner(CallbackCrypto(TOKEN, AES_KEY, CORP), 1, random.Random())
    signer.now = int(system_clock()().timestamp())
    warm, _ = plan(users, signer, 1, lanes)
    timed, expects = plan(users, signer, rounds, lanes)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        config = tmp / "bench.toml"
        config.write_text(
            CONFIG.format(url=url, corp=CORP, token=TOKEN, key=AES_KEY), encoding="utf-8"
        )
        port = free_port()
        code = APP_SERVER.format(
            config=str(config), port=port, workers=2, threads=ServerConfig().threads
        )
        with gunicorn(code, port, tmp / "app.log"):
            drive("127.0.0.1", port, warm, min(2, lanes))
            load = os.getloadavg()
            outcome = drive("127.0.0.1", port, timed, min(2, lanes), keep_bodies=True)
    if outcome.failures:
        raise SystemExit(f"{outcome.failures} callbacks answered with a status other than 200")
    wrong = []
    for lane, bodies, wants in zip(timed, outcome.bodies, expects, strict=True):
        for req, body, want in zip(lane, bodies, wants, strict=True):
            reply = signer.reply_text(body)
            if (want and want not in reply) or any(m in reply for m in OFF_SCRIPT):
                wrong.append(f"{req.kind}: {reply[:80]!r}")
    if wrong:
        raise SystemExit("replies off the script:\n" + "\n".join(wrong[:10]))
    lines = [
        f"chat commands through the real webhook (2 workers), {len(users.visitors)} visitors "
        f"and {len(users.leaders)} leaders × {rounds} rounds, {lanes} connections; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; the coverage snapshot "
        f"(job coverage_snapshot, every minute) counted in {snapshot_seconds:.2f} s first",
        "",
        "| command | n | p50 ms | p95 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for kind in sorted(outcome.latencies):
        values = outcome.latencies[kind]
        lines.append(
            f"| {kind} | {len(values)} | {pct(values, 50):.1f} | {pct(values, 95):.1f} "
            f"| {max(values):.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", required=True, help="a county built by benchmarks/scale.py")
    p.add_argument("--visitors", type=int, default=30)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--lanes", type=int, default=4)
    args = p.parse_args()
    print(measure(args.db, args.visitors, args.rounds, args.lanes))


if __name__ == "__main__":
    main()
