"""Benchmark: import a 10 000-target roster into a fresh database, then re-import it.

    .venv/bin/python benchmarks/import_roster.py [--targets 10000]

Runs on a fresh SQLite file, and on PostgreSQL too when $MINQING_TEST_PG_URL (an
admin URL) is set or a server answers on 127.0.0.1:5432 (a scratch database is
created and dropped). Prints seconds and target rows per second; the issue's bar
is < 10 s on SQLite for the first import (reading, checking and writing).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.clock import system_clock
from storage import schema
from storage.db import make_engine, session_factory, unit_of_work
from storage.roster import CampaignSpec, commit_plan, prepare
from storage.roster.demo import build_demo_roster

LOCAL_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CAMPAIGN = CampaignSpec("民情大走访", "yizou_erwen_sankan", 0)


def timed_import(url: str, workbook: Path) -> tuple[float, int]:
    engine = make_engine(url)
    try:
        factory = session_factory(engine)
        start = time.perf_counter()
        with unit_of_work(factory) as session:
            prepared = prepare(session, workbook)
            assert prepared.ok, [str(p) for p in prepared.problems[:5]]
            commit_plan(session, prepared, CAMPAIGN, system_clock()(), "benchmark")
        return time.perf_counter() - start, prepared.plan.changes
    finally:
        engine.dispose()


def run(label: str, url: str, workbook: Path, targets: int) -> None:
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    first, changes = timed_import(url, workbook)
    again, changes_again = timed_import(url, workbook)
    print(
        f"{label:10s} first import {first:6.2f} s ({targets / first:7.0f} targets/s, "
        f"{changes} rows written); re-import {again:6.2f} s ({targets / again:7.0f} targets/s, "
        f"{changes_again} rows changed)"
    )


def pg_admin_url() -> str | None:
    url = os.environ.get("MINQING_TEST_PG_URL") or LOCAL_PG
    engine = make_engine(url)
    try:
        with engine.connect():
            return url
    except Exception:
        return None
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description="roster import benchmark")
    parser.add_argument("--targets", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workbook = build_demo_roster(
            Path(tmp) / "bench.xlsx", date(2026, 11, 23), targets=args.targets
        )
        print(f"roster: {args.targets} targets, 30 cadres, 17 units, 5 phases")
        run("SQLite", f"sqlite:///{tmp}/bench.db", workbook, args.targets)
        admin = pg_admin_url()
        if admin is None:
            print("PostgreSQL: not reachable, skipped")
            return
        name = f"minqing_bench_{os.getpid()}"
        admin_engine = make_engine(admin)
        with admin_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(admin).set(database=name).render_as_string(hide_password=False)
            run("PostgreSQL", url, workbook, args.targets)
        finally:
            with admin_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin_engine.dispose()


if __name__ == "__main__":
    main()
