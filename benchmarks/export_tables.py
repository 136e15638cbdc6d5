"""Time every export table on a generated SQLite town: 20 villages, N households.

Each household has one visit (about a tenth not at home with 附件2 details) and
every third one a problem. Prints rows and seconds per table, and the whole-town
figures; the workbooks go to a temporary folder.

    .venv/bin/python benchmarks/export_tables.py [--households 5000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from storage import schema
from storage.db import make_engine, session_factory, unit_of_work
from storage.exports import TABLES, ExportRequest, export_table, resolve_scope
from storage.models import Assignment, Cadre, Campaign, Problem, Target, Unit, Visit
from storage.vocab import CATEGORIES_CHAIHUDIAN, CATEGORIES_CHANGZHOU, PROBLEM_KINDS

START = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def populate(factory, households: int, rng: random.Random) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(factory) as s:
        town = Unit(name="虹桥镇", kind="镇")
        s.add(town)
        s.flush()
        villages = [Unit(name=f"第{i}村", kind="村", parent_id=town.id) for i in range(20)]
        s.add_all(villages)
        campaign = Campaign(name="基准走访", template="yizou_erwen_sankan")
        s.add(campaign)
        s.flush()
        cadres = [
            Cadre(userid=f"c{i}", name=f"干部{i}", unit_id=villages[i % 20].id, role="visitor")
            for i in range(households // 30 + 20)
        ]
        s.add_all(cadres)
        s.flush()
        for n in range(households):
            cadre = cadres[n % len(cadres)]
            t = Target(head_name=f"户主{n}", unit_id=cadre.unit_id, grid=f"{n % 9}组", phone="")
            s.add(t)
            s.flush()
            s.add(Assignment(campaign_id=campaign.id, target_id=t.id, cadre_id=cadre.id))
            when = START + timedelta(minutes=7 * n)
            away = rng.random() < 0.1
            answers = {"phone": "13800000000", "away_since": "春节后"} if away else {}
            v = Visit(
                campaign_id=campaign.id,
                target_id=t.id,
                cadre_id=cadre.id,
                template="yizou_erwen_sankan",
                outcome="away" if away else "visited",
                answers=answers,
                started_at=when,
                submitted_at=when,
            )
            s.add(v)
            if n % 3 == 0:
                s.flush()
                s.add(
                    Problem(
                        visit_id=v.id,
                        target_id=t.id,
                        found_by_id=cadre.id,
                        unit_id=cadre.unit_id,
                        text=f"第{n}户反映的问题",
                        kind=rng.choice(PROBLEM_KINDS),
                        category=rng.choice(CATEGORIES_CHANGZHOU),
                        category_alt=rng.choice(CATEGORIES_CHAIHUDIAN),
                        status=rng.choice(["registered", "assigned", "solved"]),
                        created_at=when,
                    )
                )
        return campaign.id


def main() -> None:
    parser = argparse.ArgumentParser(description="export tables benchmark")
    parser.add_argument("--households", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        schema.upgrade(engine)
        factory = session_factory(engine)
        began = time.perf_counter()
        campaign_id = populate(factory, args.households, random.Random(7))
        print(f"populated {args.households} households in {time.perf_counter() - began:.1f} s")
        with unit_of_work(factory) as s:
            for userid, label in ((None, "whole town"), ("c0", "one cadre")):
                request = ExportRequest(
                    campaign_id=campaign_id,
                    scope=resolve_scope(s, campaign_id, None, userid),
                    tz=ZoneInfo("Asia/Shanghai"),
                    now=START + timedelta(days=60),
                )
                for key in TABLES:
                    began = time.perf_counter()
                    sheet = export_table(s, key, request, Path(tmp) / f"{key}.xlsx")
                    took = time.perf_counter() - began
                    print(f"{label:<11} {key:<12} {sheet.row_count:>6} rows  {took:6.2f} s")
        engine.dispose()


if __name__ == "__main__":
    main()
