"""The soak's checks: what the database, the fake WeCom and the logs must show.

Each check adds one line (ok or FAIL, with the figures behind it) to an
:class:`Outcome`; ``benchmarks/soak.py`` prints them and exits 1 if any failed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from benchmarks.soak_traffic import AT_HOME, Traffic, expected_answers
from storage.db import make_engine, session_factory
from storage.models import InboundMessage, JobRun, OutboxMessage, Visit

TICK_FIRED = re.compile(r"^(\S+ \S+) INFO minqing\.scheduler: job tick fired on (\S+)$", re.M)


@dataclass
class Outcome:
    checks: list[tuple[bool, str]] = field(default_factory=list)

    def check(self, ok: bool, what: str) -> None:
        self.checks.append((ok, what))

    @property
    def passed(self) -> bool:
        return all(ok for ok, _ in self.checks)


def pending_rows(url: str) -> int:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as s:
            return int(
                s.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.status == "pending")
                )
                or 0
            )
    finally:
        engine.dispose()


def check_database(url: str, traffic: Traffic, out: Outcome) -> dict[str, int]:
    """The exactly-once checks that read the database; returns figures for the report."""
    figures = traffic.figures
    engine = make_engine(url)
    try:
        with session_factory(engine)() as s:
            inbound = Counter(s.scalars(select(InboundMessage.userid)))
            visits = list(s.scalars(select(Visit)))
            rows = list(s.scalars(select(OutboxMessage)))
            runs = list(s.scalars(select(JobRun)))
    finally:
        engine.dispose()
    expected_per_cadre = traffic.visits * (len(AT_HOME) + 3)
    applied = sum(n for u, n in inbound.items() if u.startswith("soak_c"))
    out.check(
        applied == figures.unique == traffic.planned,
        f"callbacks applied once: {applied} inbound rows for {figures.unique} distinct callbacks "
        f"({figures.posts} posts answered)",
    )
    uneven = {u: n for u, n in inbound.items() if n != expected_per_cadre}
    out.check(not uneven, f"every cadre's {expected_per_cadre} callbacks applied (off: {uneven})")
    expected = expected_answers()
    incomplete = [v.id for v in visits if v.outcome != "visited" or v.answers != expected]
    targets = Counter(v.target_id for v in visits)
    out.check(
        len(visits) == traffic.cadres * traffic.visits == figures.saved
        and not incomplete
        and max(targets.values(), default=0) == 1,
        f"visits complete: {len(visits)} saved (expected {traffic.cadres * traffic.visits}, "
        f"replies {figures.saved}) in {len(targets)} households, each with the "
        f"{len(expected)} answers (not: {incomplete[:5]})",
    )
    status = Counter(r.status for r in rows)
    reasonless = [r.id for r in rows if r.status == "failed" and not r.last_error]
    out.check(
        status["pending"] == 0 and not reasonless,
        f"outbox settled: {dict(status)}; failed without a reason: {reasonless}",
    )
    plain = Counter(r.run_key for r in runs if "#force@" not in r.run_key)
    reminders = [r.run_key for r in runs if r.job == "reminders"]
    out.check(
        len(reminders) == 1 and max(plain.values(), default=1) == 1,
        f"job periods run once: reminders {reminders}",
    )
    ticks = sum(1 for r in runs if r.job == "tick")
    return {"ticks": ticks, **_delivery_figures(rows)}


def check_scheduler_logs(logs: list[str], ticks: int, out: Outcome) -> None:
    """The 1 s test job fired by one lease holder at a time: sorted by time, its
    firings change hands at most once per leadership taken over, never A, B, A, B."""
    firings = sorted(m.groups() for log in logs for m in TICK_FIRED.finditer(log))
    holders = [holder for _, holder in firings]
    switches = sum(1 for a, b in zip(holders, holders[1:], strict=False) if a != b)
    acquired = sum(log.count("leadership acquired") for log in logs)
    out.check(
        ticks >= 3 and len(firings) >= ticks - 1 and switches <= max(0, acquired - 1),
        f"test job fired {ticks} times by one holder at a time "
        f"({switches} hand-overs, {acquired} leaderships)",
    )


def _delivery_figures(rows: list[OutboxMessage]) -> dict[str, int]:
    delivering = sum(1 for r in rows if r.status == "sent" and r.channel != "update_card")
    return {
        "sent_rows": delivering,
        "rows": len(rows),
        "attempts_retried": sum(max(0, r.attempts - 1) for r in rows),
    }
