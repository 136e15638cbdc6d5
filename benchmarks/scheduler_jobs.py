"""How long each scheduler job takes on a county-sized town (prints figures, asserts nothing).

    .venv/bin/python benchmarks/scheduler_jobs.py [--households 20000] [--url sqlite:///…]

Builds a synthetic campaign (villages, cadres, households, visits, problems) in a
fresh database (a temporary SQLite file unless --url names an empty one), then
runs every job once at a fixed time and prints the seconds and messages queued.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot import config as config_mod
from bot.runtime import Runtime
from scheduler import registry
from scheduler.runner import execute
from storage import schema
from storage.db import make_engine, session_factory, unit_of_work
from storage.models import (
    Assignment,
    Cadre,
    Campaign,
    OutboxMessage,
    Phase,
    Problem,
    Target,
    Unit,
    Visit,
)
from storage.vocab import CATEGORIES_CHANGZHOU

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def build(sessions, households: int, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    villages = max(1, households // 1000)
    with unit_of_work(sessions) as s:
        town = Unit(name="镇", kind="镇")
        s.add(town)
        s.flush()
        s.add(Cadre(userid="leader-town", name="镇负责人", unit_id=town.id, role="leader"))
        campaign = Campaign(name="基准走访", template="t")
        campaign.phases = [
            Phase(
                position=1,
                name="走访排查",
                start_date=date(2026, 11, 1),
                deadline=date(2026, 11, 26),
            )
        ]
        s.add(campaign)
        s.flush()
        n = 0
        for v in range(villages):
            unit = Unit(name=f"村{v:03d}", kind="村", parent_id=town.id)
            s.add(unit)
            s.flush()
            s.add(Cadre(userid=f"leader-{v}", name=f"村负责人{v}", unit_id=unit.id, role="leader"))
            cadres = []
            for c in range(20):
                cadre = Cadre(
                    userid=f"c{v}-{c}", name=f"干部{v}-{c}", unit_id=unit.id, role="visitor"
                )
                s.add(cadre)
                cadres.append(cadre)
            s.flush()
            for h in range(households // villages):
                n += 1
                cadre = cadres[h % len(cadres)]
                t = Target(
                    code=f"T{n}", head_name=f"户主{n}", unit_id=unit.id, categories=["一般农户"]
                )
                s.add(t)
                s.flush()
                s.add(Assignment(campaign_id=campaign.id, target_id=t.id, cadre_id=cadre.id))
                if rng.random() < 0.7:
                    when = NOW - timedelta(hours=rng.randint(1, 400))
                    visit = Visit(
                        campaign_id=campaign.id,
                        target_id=t.id,
                        cadre_id=cadre.id,
                        template="t",
                        outcome=rng.choice(["visited", "phone", "away"]),
                        answers={},
                        started_at=when,
                        submitted_at=when,
                    )
                    s.add(visit)
                    if rng.random() < 0.1:
                        solved = rng.random() < 0.5
                        s.add(
                            Problem(
                                target_id=t.id,
                                found_by_id=cadre.id,
                                unit_id=unit.id,
                                text=rng.choice(
                                    [
                                        "道路破损需要维修",
                                        "看病报销难",
                                        "孩子上学路远",
                                        "房屋漏雨需要修缮",
                                        "希望增加就业培训",
                                    ]
                                ),
                                kind="意见建议",
                                category=rng.choice(CATEGORIES_CHANGZHOU),
                                category_alt="其他",
                                status="solved" if solved else "assigned",
                                created_at=when,
                                deadline=when + timedelta(days=7),
                                closed_at=when + timedelta(days=2) if solved else None,
                                assignee_unit_id=unit.id,
                            )
                        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=20000)
    parser.add_argument("--url", default="")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.url or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    engine = make_engine(url)
    schema.upgrade(engine)
    sessions = session_factory(engine)
    t0 = time.perf_counter()
    build(sessions, args.households, random.Random(7))
    print(
        f"built {args.households} households in {time.perf_counter() - t0:.1f} s ({engine.dialect.name})"
    )
    raw = {
        "database": {"url": url},
        "wecom": {"corp_id": "c", "token": "t", "encoding_aes_key": "a" * 43},
        "groups": [{"unit": "镇", "robot_key": "k"}],
    }
    config = config_mod.from_dict(raw, environ={})
    # Every job as the scheduler runs it (session jobs and runtime jobs alike), at NOW.
    runtime = Runtime.from_config(config, clock=lambda: NOW)
    for name, spec in registry.build(config, environ={}).items():
        with unit_of_work(sessions) as s:
            before = s.scalar(select(func.count(OutboxMessage.id))) or 0
        t0 = time.perf_counter()
        result = execute(runtime, spec, NOW)
        took = time.perf_counter() - t0
        with unit_of_work(sessions) as s:
            after = s.scalar(select(func.count(OutboxMessage.id))) or 0
        print(
            f"{name:<17} {took:6.2f} s  {after - before:5d} outbox rows  ({result.summary()[:60]})"
        )
    runtime.close()
    engine.dispose()
    tmp.cleanup()


if __name__ == "__main__":
    main()
