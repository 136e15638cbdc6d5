"""County scale: generate a county, then time every job, every export and the roster import.

    .venv/bin/python benchmarks/scale.py --households 10000            # temporary SQLite
    .venv/bin/python benchmarks/scale.py --households 100000 --pg      # scratch PostgreSQL DB
    .venv/bin/python benchmarks/scale.py --db URL --households 10000   # an empty database
    .venv/bin/python benchmarks/scale.py --db URL --reuse              # measure again, no build
                                         (its job runs and outbox are emptied first)

The county: 15 towns, 300 villages (each with two 网格), two 线办 per town, ten
visiting cadres and one 负责人 per village, one per town and the county's (3 000+
cadres at 300 villages). The roster goes through the project's own import
(:func:`storage.roster.prepare` / :func:`commit_plan`), timed, then imported again;
visits (~3 per household) and problems (~2 per household, with their histories:
registered → assigned → solved → followed up) are bulk-inserted through storage's models.

Every measurement runs in a fresh subprocess, so its peak memory (``ru_maxrss``, whole
process, imports included) is its own; the table prints seconds, peak MB and the
outbox rows a job queued. Jobs run at a fixed time (``NOW``) with a frozen clock;
exports are written for one town and for the county; every chat command goes through the
real webhook (``benchmarks/chat_scale.py``: p50 / p95 per command, leaders of a village, a
town and the county). Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for _folder in (ROOT, ROOT / "benchmarks"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

NOW = datetime(2026, 11, 29, 1, 30, tzinfo=UTC)  # a Sunday, 09:30 in Asia/Shanghai
START = datetime(2026, 10, 20, 1, 0, tzinfo=UTC)
TOWNS = 15
VILLAGES = 300
VISITORS_PER_VILLAGE = 10
LOCAL_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CAMPAIGN_NAME = "民情大走访"
TEMPLATE = "yizou_erwen_sankan"
CHUNK = 5000
CHANGED = 300  # households whose phone a second re-import changes (then changes back)
# Tables whose county-wide form is one sheet per household: measured for a town only.
PER_HOUSEHOLD_FORMS = ("household-form",)


def town_name(t: int) -> str:
    return f"第{t + 1:02d}镇"


def village_name(v: int) -> str:
    return f"{town_name(v % TOWNS)}{v // TOWNS + 1:02d}村"


# --- the roster workbook -------------------------------------------------------------

STEMS = "甲乙丙丁戊己庚辛壬癸"


def _stems(n: int) -> str:
    """n in heavenly stems (a name may not hold 5 digits in a row: they look like a phone)."""
    return "".join(STEMS[int(d)] for d in str(n))


def write_roster(path: Path, households: int, seed: int, changed: int = 0) -> None:
    """The county's roster in the import layout (openpyxl write-only: 100 000 rows fast).

    ``changed`` households (spread evenly) get another phone: a re-import with changes."""
    from openpyxl import Workbook

    from storage.roster.sheets import CADRES, PHASES, SPECS, TARGETS, UNITS

    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    units = wb.create_sheet(UNITS)
    units.append(list(SPECS[UNITS].headers))
    units.append(["县", "", "县"])
    for t in range(TOWNS):
        units.append([town_name(t), "县", "镇"])
        for office in ("综治办", "社会事务办"):
            units.append([f"{town_name(t)}{office}", town_name(t), "线办"])
    for v in range(VILLAGES):
        units.append([village_name(v), town_name(v % TOWNS), "村"])
        for g in (1, 2):
            units.append([f"{village_name(v)}第{g}网格", village_name(v), "网格"])
    cadres = wb.create_sheet(CADRES)
    cadres.append(list(SPECS[CADRES].headers))
    cadres.append(["县负责人", "county_leader", "县", "负责人", ""])
    cadres.append(["管理员", "admin", "县", "管理员", ""])
    for t in range(TOWNS):
        cadres.append([f"镇负责人{t}", f"town_leader_{t}", town_name(t), "负责人", ""])
        cadres.append(
            [f"综治办主任{t}", f"office_leader_{t}", f"{town_name(t)}综治办", "负责人", ""]
        )
    for v in range(VILLAGES):
        cadres.append([f"村负责人{v}", f"village_leader_{v}", village_name(v), "负责人", ""])
        for c in range(VISITORS_PER_VILLAGE):
            unit = f"{village_name(v)}第{c % 2 + 1}网格"
            phone = f"1380{v:03d}{c:04d}"
            cadres.append([f"干部{v}-{c}", f"c{v}_{c}", unit, "走访干部", phone])
    targets = wb.create_sheet(TARGETS)
    targets.append(list(SPECS[TARGETS].headers))
    mix = ("", "", "", "", "", "", "", "党员", "退役军人", "贫困群众", "信教人士", "商铺")
    every = households // changed if changed else 0
    for n in range(households):
        v = n % VILLAGES
        k = n // VILLAGES
        category = rng.choice(mix)
        kind = "单位或商铺" if category == "商铺" else "户"
        targets.append(
            [
                f"H{n:06d}",
                f"户主{_stems(n)}",
                village_name(v),
                f"第{k % 2 + 1}网格",
                f"{k % 9 + 1}组{k + 1}号",
                f"137{n:08d}" if every and n % every == 0 else f"139{n:08d}" if n % 10 else "",
                category,
                rng.randint(1, 6),
                f"c{v}_{k % VISITORS_PER_VILLAGE}",
                kind,
            ]
        )
    phases = wb.create_sheet(PHASES)
    phases.append(list(SPECS[PHASES].headers))
    phases.append(["走访排查", date(2026, 10, 20), date(2026, 12, 2)])
    phases.append(["集中化解", date(2026, 12, 3), date(2026, 12, 31)])
    wb.save(path)


# --- visits and problems ---------------------------------------------------------------


def _chunks(rows: Iterator[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def populate(url: str, seed: int) -> tuple[int, int, int]:
    """Visits, problems and problem events for every assigned household; counts."""
    from sqlalchemy import insert, select

    from storage.db import make_engine, session_factory, unit_of_work
    from storage.models import Assignment, Campaign, Problem, ProblemEvent, Target, Unit, Visit
    from storage.vocab import CATEGORIES_CHAIHUDIAN, CATEGORIES_CHANGZHOU, PROBLEM_KINDS

    rng = random.Random(seed)
    engine = make_engine(url)
    factory = session_factory(engine)
    with unit_of_work(factory) as s:
        campaign_id = s.scalar(select(Campaign.id).where(Campaign.name == CAMPAIGN_NAME))
        offices = {
            name: uid
            for uid, name in s.execute(select(Unit.id, Unit.name).where(Unit.kind == "线办"))
        }
        town_of = {uid: pid for uid, pid in s.execute(select(Unit.id, Unit.parent_id))}
        rows = s.execute(
            select(Assignment.target_id, Assignment.cadre_id, Target.unit_id)
            .join(Target, Target.id == Assignment.target_id)
            .order_by(Assignment.target_id)
        ).all()
    span = (NOW - START).total_seconds()
    texts = (
        "道路破损需要维修",
        "看病报销难",
        "孩子上学路远",
        "房屋漏雨需要修缮",
        "希望增加就业培训",
    )
    outcomes = ("visited", "visited", "visited", "phone", "away", "appointment")
    visits: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    for target_id, cadre_id, unit_id in rows:
        if rng.random() < 0.15:
            continue  # not visited yet: lagging cadres for the reminders
        when = START + timedelta(seconds=rng.random() * span * 0.9)
        for i in range(rng.randint(2, 5)):
            at = when + timedelta(days=2 * i)
            outcome = rng.choice(outcomes)
            answers = {"phone": "13800000000", "away_since": "春节后"} if outcome == "away" else {}
            visits.append(
                {
                    "campaign_id": campaign_id,
                    "target_id": target_id,
                    "cadre_id": cadre_id,
                    "template": TEMPLATE,
                    "outcome": outcome,
                    "answers": answers,
                    "appointment_at": at + timedelta(days=3) if outcome == "appointment" else None,
                    "started_at": at,
                    "submitted_at": at,
                }
            )
        for _ in range(rng.choice((0, 1, 2, 3, 4, 2))):
            created = when + timedelta(hours=rng.randint(1, 48))
            problems.append(_problem(rng, target_id, cadre_id, unit_id, created, offices, town_of))
            problems[-1]["text"] = rng.choice(texts)
            problems[-1]["kind"] = rng.choice(PROBLEM_KINDS)
            problems[-1]["category"] = rng.choice(CATEGORIES_CHANGZHOU)
            problems[-1]["category_alt"] = rng.choice(CATEGORIES_CHAIHUDIAN)
    events = 0
    with unit_of_work(factory) as s:
        for batch in _chunks(iter(visits)):
            s.execute(insert(Visit), batch)
    with unit_of_work(factory) as s:
        for batch in _chunks(iter(problems)):
            history = [p.pop("_history") for p in batch]
            ids = s.scalars(
                insert(Problem).returning(Problem.id, sort_by_parameter_order=True), batch
            )
            ev = [
                {"problem_id": pid, **e}
                for pid, steps in zip(ids.all(), history, strict=True)
                for e in steps
            ]
            s.execute(insert(ProblemEvent), ev)
            events += len(ev)
    if engine.dialect.name == "postgresql":  # what autovacuum would do after a bulk load:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")  # without it, plans assume near-empty tables
    engine.dispose()
    return len(visits), len(problems), events


def _problem(
    rng: random.Random,
    target_id: int,
    cadre_id: int,
    unit_id: int,
    created: datetime,
    offices: dict[str, int],
    town_of: dict[int, int | None],
) -> dict[str, Any]:
    """One problem somewhere along 登记 → 交办 → 办结 → 回访, with its events."""
    town = town_of[unit_id]
    office = offices[f"{_TOWN_NAMES[town]}综治办"] if town and rng.random() < 0.3 else None
    roll = rng.random()
    row: dict[str, Any] = {
        "target_id": target_id,
        "found_by_id": cadre_id,
        "unit_id": unit_id,
        "status": "registered",
        "created_at": created,
        "assignee_unit_id": None,
        "assigned_at": None,
        "deadline": None,
        "closed_at": None,
        "followed_up_at": None,
        "satisfaction": None,
        "confidence": 0.8,
        "version": 1,
    }
    history = [{"action": "register", "from_status": "", "to_status": "registered", "at": created}]
    if roll > 0.1:
        assigned = created + timedelta(days=1)
        row.update(
            status="assigned",
            assignee_unit_id=office or unit_id,
            assigned_at=assigned,
            deadline=assigned + timedelta(days=rng.choice((7, 15, 30))),
        )
        history.append(
            {
                "action": "assign",
                "from_status": "registered",
                "to_status": "assigned",
                "at": assigned,
            }
        )
        if roll > 0.45:
            closed = assigned + timedelta(days=rng.randint(1, 10))
            row.update(status="solved", closed_at=closed)
            history.append(
                {"action": "solve", "from_status": "assigned", "to_status": "solved", "at": closed}
            )
            if roll > 0.7:
                back = closed + timedelta(days=2)
                row.update(status="followed_up", followed_up_at=back, satisfaction="满意")
                history.append(
                    {
                        "action": "follow_up",
                        "from_status": "solved",
                        "to_status": "followed_up",
                        "at": back,
                    }
                )
    row["_history"] = history
    return row


_TOWN_NAMES: dict[int, str] = {}  # town id -> name, filled before populating


# --- one measurement, in its own process -------------------------------------------------


def _config(url: str) -> Any:
    from bot import config as config_mod

    groups = [{"unit": town_name(t), "robot_key": f"k{t}"} for t in range(TOWNS)]
    raw = {
        "database": {"url": url},
        "wecom": {"corp_id": "c", "token": "t", "encoding_aes_key": "a" * 43},
        "groups": groups,
        "campaign": {"name": CAMPAIGN_NAME, "template": TEMPLATE},
    }
    return config_mod.from_dict(raw, environ={})


def measure(kind: str, name: str, url: str, arg: str) -> dict[str, Any]:
    """Run one thing (``job``, ``export``, ``import``) and report its figures."""
    from sqlalchemy import func, select

    from storage.db import make_engine, session_factory, unit_of_work
    from storage.models import OutboxMessage

    engine = make_engine(url)
    factory = session_factory(engine)
    extra = ""
    messages = None
    cpu_began = time.process_time()
    if kind == "job":
        from bot.runtime import Runtime
        from scheduler import registry
        from scheduler.runner import execute

        config = _config(url)
        runtime = Runtime.from_config(config, clock=lambda: NOW)
        spec = registry.build(config, environ={})[name]
        with unit_of_work(factory) as s:
            before = s.scalar(select(func.count(OutboxMessage.id))) or 0
        began = time.perf_counter()
        result = execute(runtime, spec, NOW)
        took = time.perf_counter() - began
        with unit_of_work(factory) as s:
            messages = (s.scalar(select(func.count(OutboxMessage.id))) or 0) - before
        extra = result.summary()[:70]
        runtime.close()
    elif kind == "export":
        from zoneinfo import ZoneInfo

        from storage.campaigns import find_active_campaign
        from storage.exports import ExportRequest, export_table, resolve_scope

        with unit_of_work(factory) as s:
            began = time.perf_counter()
            campaign = find_active_campaign(s)
            assert campaign is not None
            campaign_id = campaign.id
            request = ExportRequest(
                campaign_id=campaign_id,
                scope=resolve_scope(s, campaign_id, arg or None, None),
                tz=ZoneInfo("Asia/Shanghai"),
                now=NOW,
            )
            with tempfile.TemporaryDirectory() as tmp:
                book = export_table(s, name, request, Path(tmp) / "out.xlsx")
            took = time.perf_counter() - began
            extra = f"{book.records} record(s), {len(book.sheets)} sheet(s)"
    else:  # import
        from storage.roster import CampaignSpec, commit_plan, prepare

        began = time.perf_counter()
        with unit_of_work(factory) as s:
            prepared = prepare(s, Path(arg))
            if not prepared.ok:
                raise SystemExit("; ".join(str(p) for p in prepared.problems[:5]))
            commit_plan(s, prepared, CampaignSpec(CAMPAIGN_NAME, TEMPLATE, 0), NOW, "benchmark")
        took = time.perf_counter() - began
        extra = f"{prepared.plan.changes} row(s) written"
    engine.dispose()
    peak = _peak_mb()
    # this process's CPU seconds (not the database server's): steadier than the wall
    # clock on a shared machine
    cpu = round(time.process_time() - cpu_began, 2)
    return {"seconds": took, "cpu": cpu, "peak_mb": peak, "messages": messages, "note": extra}


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: ru_maxrss survives exec on Linux,
    so a child would report its parent's peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(
    kind: str, name: str, url: str, arg: str = "", timeout: float = 3600
) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", kind, name, "--db", url, "--arg", arg]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"seconds": None, "peak_mb": None, "messages": None, "note": f"FAILED: {last[:150]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the orchestration -----------------------------------------------------------------


def scratch_pg() -> tuple[str, Any]:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from storage.db import make_engine

    admin = os.environ.get("MINQING_TEST_PG_URL") or LOCAL_PG
    name = f"minqing_scale_{os.getpid()}"
    engine = make_engine(admin)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    return make_url(admin).set(database=name).render_as_string(hide_password=False), drop


def fmt(value: float | None, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def main() -> None:
    parser = argparse.ArgumentParser(description="county-scale benchmark")
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--db", default="", help="an empty database (default: temporary SQLite)")
    parser.add_argument("--pg", action="store_true", help="a scratch PostgreSQL database")
    parser.add_argument("--reuse", action="store_true", help="the database is already built")
    parser.add_argument("--only", default="", help="comma-separated: jobs,exports,import,chat")
    parser.add_argument("--jobs", default="", help="comma-separated job names (default: all)")
    parser.add_argument("--tables", default="", help="comma-separated tables (default: all)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "NAME"))
    parser.add_argument("--arg", default="")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], args.child[1], args.db, args.arg)))
        return

    from storage import schema
    from storage.db import make_engine

    tmp = tempfile.TemporaryDirectory()
    drop = None
    if args.pg:
        url, drop = scratch_pg()
    else:
        url = args.db or f"sqlite:///{Path(tmp.name) / 'county.db'}"
    only = set(args.only.split(",")) if args.only else {"jobs", "exports", "import", "chat"}
    chat = ""
    rows: list[tuple[str, str, dict[str, Any]]] = []
    try:
        engine = make_engine(url)
        dialect = engine.dialect.name
        roster = Path(tmp.name) / "roster.xlsx"
        if not args.reuse:
            schema.upgrade(engine)
            began = time.perf_counter()
            write_roster(roster, args.households, args.seed)
            print(f"roster workbook written in {time.perf_counter() - began:.1f} s", flush=True)
            first = run_child("import", "roster", url, str(roster))
            print(f"roster imported: {first}", flush=True)
            rows.append(("import", "roster import (first)", first))
            if first["seconds"] is None:
                raise SystemExit(f"roster import failed: {first['note']}")
            began = time.perf_counter()
            _TOWN_NAMES.clear()
            counts = populate_with_names(url, args.seed)
            print(
                f"populated {counts[0]} visits, {counts[1]} problems, {counts[2]} events "
                f"in {time.perf_counter() - began:.1f} s ({dialect})",
                flush=True,
            )
        if args.reuse:
            forget_runs(url)
        if "import" in only:
            if args.reuse:
                write_roster(roster, args.households, args.seed)
            again = run_child("import", "roster", url, str(roster))
            rows.append(("import", "roster re-import", again))
            print(f"roster re-imported: {again}", flush=True)
            changed = Path(tmp.name) / "changed.xlsx"
            write_roster(changed, args.households, args.seed, changed=CHANGED)
            for label, path in ((f"{CHANGED} changed", changed), ("changed back", roster)):
                result = run_child("import", "roster", url, str(path))
                rows.append(("import", f"roster re-import ({label})", result))
                print(f"roster re-imported ({label}): {result}", flush=True)
        if "chat" in only:
            from chat_scale import measure as measure_chat

            chat = measure_chat(url)
            print(chat, flush=True)
        if "jobs" in only:
            from scheduler import registry

            for name in registry.build(_config(url), environ={}):
                wanted = args.jobs.split(",") if args.jobs else [name]
                if name in ("visit_media", "tick") or name not in wanted:
                    continue
                result = run_child("job", name, url)
                rows.append(("job", name, result))
                print(f"job {name}: {result}", flush=True)
            if not args.jobs or "escalation" in args.jobs.split(","):
                again = run_child("job", "escalation", url)
                rows.append(("job", "escalation (re-run same day)", again))
                print(f"job escalation again: {again}", flush=True)
        if "exports" in only:
            from storage.exports import TABLES

            for key in TABLES:
                if args.tables and key not in args.tables.split(","):
                    continue
                for label, unit in (("town", town_name(0)), ("county", "")):
                    if label == "county" and key in PER_HOUSEHOLD_FORMS:
                        continue
                    result = run_child("export", key, url, unit)
                    rows.append(("export", f"{key} ({label})", result))
                    print(f"export {key} {label}: {result}", flush=True)
        engine.dispose()
    finally:
        if drop is not None:
            drop()
        tmp.cleanup()
    load = os.getloadavg()
    print()
    print(
        f"{args.households} households, {dialect}, load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores, shared)"
    )
    print()
    print("| what | name | seconds | peak MB | messages | note |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    for kind, name, r in rows:
        messages = "" if r["messages"] is None else str(r["messages"])
        print(
            f"| {kind} | {name} | {fmt(r['seconds'], '.2f')} | {fmt(r['peak_mb'], '.0f')} "
            f"| {messages} | {r['note']} |"
        )
    if chat:
        print()
        print(chat)


def forget_runs(url: str) -> None:
    """Empty job_runs, the outbox and the draws, so every job of a reused county runs
    again in full."""
    from sqlalchemy import delete

    from storage.db import make_engine, session_factory, unit_of_work
    from storage.models import JobRun, OutboxMessage, ReviewDraw

    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as s:
        s.execute(delete(JobRun))
        s.execute(delete(OutboxMessage))
        s.execute(delete(ReviewDraw))
    engine.dispose()


def populate_with_names(url: str, seed: int) -> tuple[int, int, int]:
    """Fill the town-name cache (problems go to their town's 综治办) and populate."""
    from sqlalchemy import select

    from storage.db import make_engine, session_factory, unit_of_work
    from storage.models import Unit

    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as s:
        for uid, name in s.execute(select(Unit.id, Unit.name).where(Unit.kind == "镇")):
            _TOWN_NAMES[uid] = name
    engine.dispose()
    return populate(url, seed)


if __name__ == "__main__":
    main()
