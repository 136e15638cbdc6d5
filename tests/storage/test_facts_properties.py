"""The fact layer against an independent recount from raw rows (docs/facts.md).

Hypothesis draws a small campaign — nested units with a 线办 and a 网格, cadres in
any of them, targets of every kind with 组网格, visits of every outcome by any
cadre, problems with event histories — then a period and a scope (a place, an
organisation, one cadre, or everything). Every figure of :mod:`storage.facts`, the
scheduler's weekly and per-category figures and the exported tables' totals must
equal what a plain Python recount of the generated rows says.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler import digests
from scheduler.base import local_day_start, local_today
from storage import facts, progress
from storage.exports import ExportRequest, export_table, resolve_scope
from storage.models import (
    Assignment,
    Cadre,
    Campaign,
    Problem,
    ProblemEvent,
    Target,
    Unit,
    Visit,
)
from storage.units import UnitTree
from tests.support.exports import read_workbook

BASE = datetime(2026, 11, 1, tzinfo=UTC)
NOW = BASE + timedelta(hours=400)
ASSIGN_DAYS = 2
# name, kind, parent
UNITS = (
    ("镇", "镇", None),
    ("综治办", "线办", "镇"),
    ("东村", "村", "镇"),
    ("西村", "村", "镇"),
    ("东村第1网格", "网格", "东村"),
)
SUBTREE = {
    "镇": {"镇", "综治办", "东村", "西村", "东村第1网格"},
    "综治办": {"综治办"},
    "东村": {"东村", "东村第1网格"},
    "西村": {"西村"},
    "东村第1网格": {"东村第1网格"},
}
OUTCOMES = ("visited", "phone", "phone_missed", "away", "appointment")
COVERING = ("visited", "phone", "away")
KINDS = ("household", "village", "place")
GRIDS = ("", "第1网格", "第2网格", "东村第1网格")
STEPS = ("assigned", "in_progress", "solved", "explained", "followed_up")
CATEGORIES = ("房屋土地", "社会保障", "其他")
PROBLEM_KINDS = ("困难需求", "意见建议")


@dataclass(frozen=True)
class T:
    village: str
    grid: str
    kind: str
    key: bool
    owner: int


@dataclass(frozen=True)
class V:
    target: int
    cadre: int
    outcome: str
    hour: int


@dataclass(frozen=True)
class P:
    target: int
    finder: int
    kind: str
    category: str
    hour: int
    steps: tuple[tuple[str, int], ...]  # (to_status, hours after the previous event)
    deadline: int | None


@dataclass(frozen=True)
class World:
    cadres: tuple[str, ...]  # each cadre's unit name
    targets: tuple[T, ...]
    visits: tuple[V, ...]
    problems: tuple[P, ...]


# Histories the ledger really writes (closed, 回访 after a closure, reopened), and any.
PATTERNS = (
    ("assigned", "solved"),
    ("explained", "followed_up"),
    ("assigned", "solved", "followed_up"),
    ("assigned", "explained", "followed_up"),
    ("solved", "followed_up", "in_progress"),
)


def histories() -> st.SearchStrategy[tuple[tuple[str, int], ...]]:
    statuses = st.sampled_from(PATTERNS) | st.lists(st.sampled_from(STEPS), max_size=3).map(tuple)
    return statuses.flatmap(
        lambda steps: st.tuples(*(st.tuples(st.just(s), st.integers(1, 120)) for s in steps))
    )


@st.composite
def worlds(draw: st.DrawFn) -> World:
    cadres = tuple(draw(st.lists(st.sampled_from([u[0] for u in UNITS]), min_size=1, max_size=4)))
    n = len(cadres)
    targets = tuple(
        draw(
            st.lists(
                st.builds(
                    T,
                    st.sampled_from(("东村", "西村")),
                    st.sampled_from(GRIDS),
                    st.sampled_from(KINDS),
                    st.booleans(),
                    st.integers(0, n - 1),
                ),
                min_size=1,
                max_size=7,
            )
        )
    )
    m = len(targets)
    visits = tuple(
        draw(
            st.lists(
                st.builds(
                    V,
                    st.integers(0, m - 1),
                    st.integers(0, n - 1),
                    st.sampled_from(OUTCOMES),
                    st.integers(0, 390),
                ),
                max_size=10,
            )
        )
    )
    problems = tuple(
        draw(
            st.lists(
                st.builds(
                    P,
                    st.integers(0, m - 1),
                    st.integers(0, n - 1),
                    st.sampled_from(PROBLEM_KINDS),
                    st.sampled_from(CATEGORIES),
                    st.integers(0, 390),
                    histories(),
                    st.none() | st.integers(0, 420),
                ),
                max_size=5,
            )
        )
    )
    return World(cadres, targets, visits, problems)


SCOPES = st.sampled_from(("all", "cadre", *[u[0] for u in UNITS]))
HOURS = st.none() | st.integers(0, 420)


def at(hour: int) -> datetime:
    return BASE + timedelta(hours=hour)


@dataclass
class Stored:
    campaign_id: int
    unit_ids: dict[str, int]
    cadre_ids: list[int]
    target_ids: list[int]


def store(session, w: World) -> Stored:  # type: ignore[no-untyped-def]
    units: dict[str, Unit] = {}
    for name, kind, parent in UNITS:
        u = Unit(name=name, kind=kind, parent_id=units[parent].id if parent else None)
        session.add(u)
        session.flush()
        units[name] = u
    cadres = []
    for i, where in enumerate(w.cadres):
        c = Cadre(userid=f"c{i}", name=f"干部{i}", unit_id=units[where].id, role="visitor")
        session.add(c)
        cadres.append(c)
    campaign = Campaign(name="活动", template="yizou_erwen_sankan")
    session.add(campaign)
    session.flush()
    targets = []
    for i, t in enumerate(w.targets):
        row = Target(
            head_name=f"户{i}",
            unit_id=units[t.village].id,
            grid=t.grid,
            kind=t.kind,
            is_key=t.key,
            categories=[],
        )
        session.add(row)
        session.flush()
        session.add(
            Assignment(campaign_id=campaign.id, target_id=row.id, cadre_id=cadres[t.owner].id)
        )
        targets.append(row)
    for v in w.visits:
        session.add(
            Visit(
                campaign_id=campaign.id,
                target_id=targets[v.target].id,
                cadre_id=cadres[v.cadre].id,
                template="t",
                outcome=v.outcome,
                answers={},
                started_at=at(v.hour),
                submitted_at=at(v.hour),
            )
        )
        session.flush()  # ids follow the list order, the tie-break of equal times
    for p in w.problems:
        status = p.steps[-1][0] if p.steps else "registered"
        row = Problem(
            target_id=targets[p.target].id,
            found_by_id=cadres[p.finder].id,
            unit_id=units[w.targets[p.target].village].id,
            text="问题",
            kind=p.kind,
            category=p.category,
            category_alt="其他",
            status=status,
            created_at=at(p.hour),
            deadline=None if p.deadline is None else at(p.deadline),
        )
        session.add(row)
        session.flush()
        when = p.hour
        session.add(
            ProblemEvent(problem_id=row.id, action="register", to_status="registered", at=at(when))
        )
        for to_status, gap in p.steps:
            when += gap
            session.add(
                ProblemEvent(problem_id=row.id, action="x", to_status=to_status, at=at(when))
            )
        session.flush()
    return Stored(
        campaign.id,
        {k: u.id for k, u in units.items()},
        [c.id for c in cadres],
        [t.id for t in targets],
    )


# --- the independent recount ---------------------------------------------------------------


class Recount:
    """What the figures must be, from the generated rows alone."""

    def __init__(self, w: World, scope: str, since: int | None, until: int | None) -> None:
        self.w, self.scope = w, scope
        self.since = -1 if since is None else since
        self.until = 10**6 if until is None else until
        self.as_of = min(self.until, 400)

    def _grid_match(self, t: T, unit: str) -> bool:
        # 东村第1网格 holds 东村's targets written 东村第1网格 or 第1网格
        return (
            "东村第1网格" in SUBTREE[unit]
            and t.village == "东村"
            and t.grid in ("东村第1网格", "第1网格")
        )

    def target_in(self, i: int) -> bool:
        t = self.w.targets[i]
        if self.scope == "all":
            return True
        if self.scope == "cadre":
            return t.owner == 0
        if self.scope in ("综治办",):
            return self.w.cadres[t.owner] in SUBTREE[self.scope]
        return t.village in SUBTREE[self.scope] or self._grid_match(t, self.scope)

    def visit_in(self, v: V) -> bool:
        if self.scope == "cadre":
            return v.cadre == 0
        if self.scope == "综治办":
            return self.w.cadres[v.cadre] in SUBTREE[self.scope]
        return self.scope == "all" or self.target_in_place(v.target)

    def target_in_place(self, i: int) -> bool:
        t = self.w.targets[i]
        return t.village in SUBTREE[self.scope] or self._grid_match(t, self.scope)

    def problem_in(self, p: P) -> bool:
        if self.scope == "cadre":
            return p.finder == 0
        if self.scope == "综治办":
            return self.w.cadres[p.finder] in SUBTREE[self.scope]
        return self.scope == "all" or self.target_in_place(p.target)

    def status(self, i: int, until: int) -> str | None:
        mine = [
            (v.hour, n, v.outcome)
            for n, v in enumerate(self.w.visits)
            if v.target == i and v.hour < until
        ]
        mine.sort()
        covering = [o for _, _, o in mine if o in COVERING]
        if covering:
            return covering[-1]
        return mine[-1][2] if mine else None

    def coverage(self, kind: str) -> dict[str, int]:
        c: Counter[str] = Counter()
        for i, t in enumerate(self.w.targets):
            if t.kind != kind or not self.target_in(i):
                continue
            s = self.status(i, self.until)
            c["assigned"] += 1
            c[s or "todo"] += 1
            c["key_assigned"] += t.key
            c["key_covered"] += t.key and s in COVERING
        return dict(c)

    def activity(self) -> tuple[int, int]:
        households, cadres = set(), set()
        for v in self.w.visits:
            if self.since <= v.hour < self.until and v.outcome in COVERING and self.visit_in(v):
                cadres.add(v.cadre)
                if self.w.targets[v.target].kind == "household":
                    households.add(v.target)
        return len(households), len(cadres)

    def problems(self) -> Counter[str]:
        c: Counter[str] = Counter()
        for p in self.w.problems:
            if not self.problem_in(p) or p.hour >= self.as_of:
                continue
            status, bucket, when = "registered", "pending", p.hour
            solved_now = explained_now = False
            for to_status, gap in p.steps:
                when += gap
                if when >= self.as_of:
                    break
                status = to_status
                if to_status in ("solved", "explained"):
                    bucket = to_status
                elif to_status == "followed_up":
                    bucket = "solved" if bucket == "pending" else bucket
                else:
                    bucket = "pending"
                if self.since <= when < self.until:
                    solved_now |= to_status == "solved"
                    explained_now |= to_status == "explained"
            if self.since <= p.hour < self.until:
                c["raised"] += 1
                c[bucket] += 1
            c["solved_in_period"] += solved_now
            c["explained_in_period"] += explained_now
            late_registered = status == "registered" and p.hour + 24 * ASSIGN_DAYS < self.as_of
            late_assigned = (
                status in ("assigned", "in_progress")
                and p.deadline is not None
                and p.deadline < self.as_of
            )
            c["overdue"] += bucket == "pending" and (late_registered or late_assigned)
        return c


def fact_scope(session, stored: Stored, scope: str) -> facts.FactScope:  # type: ignore[no-untyped-def]
    if scope == "all":
        return facts.EVERYTHING
    if scope == "cadre":
        return facts.cadre_scope(session.get(Cadre, stored.cadre_ids[0]))
    return facts.scope_for_unit(session, session.get(Unit, stored.unit_ids[scope]))


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(w=worlds(), scope=SCOPES, since=HOURS, length=HOURS)
def test_every_figure_equals_the_recount(session, config, tmp_path, w, scope, since, length):  # type: ignore[no-untyped-def]
    until = None if length is None else (since or 0) + length
    try:
        stored = store(session, w)
        expect = Recount(w, scope, since, until)
        period = facts.Period(
            None if since is None else at(since), None if until is None else at(until)
        )
        fs = fact_scope(session, stored, scope)

        lines = facts.coverage(session, stored.campaign_id, fs, period.until)
        for kind in KINDS:
            got = facts.of_kind(lines, kind)
            want = expect.coverage(kind)
            assert got.assigned == want.get("assigned", 0), kind
            assert got.visited == want.get("visited", 0), kind
            assert got.phone == want.get("phone", 0), kind
            assert got.away == want.get("away", 0), kind
            assert got.missed == want.get("phone_missed", 0), kind
            assert got.pending == want.get("appointment", 0), kind
            assert got.not_covered == got.assigned - got.covered
            assert (got.key_assigned, got.key_covered) == (
                want.get("key_assigned", 0),
                want.get("key_covered", 0),
            )

        act = facts.activity(session, stored.campaign_id, fs, period)
        assert (act.households, act.cadres) == expect.activity()

        states = facts.problem_states(
            session,
            fs,
            period,
            now=NOW,
            assign_within_days=ASSIGN_DAYS,
            campaign_id=stored.campaign_id,
        )
        got_p = facts.total(facts.problem_figures(states, period).values())
        want_p = expect.problems()
        for name in (
            "raised",
            "pending",
            "solved",
            "explained",
            "overdue",
            "solved_in_period",
            "explained_in_period",
        ):
            assert getattr(got_p, name) == want_p.get(name, 0), name

        # the scheduler's figures are the same queries
        weekly = progress.weekly_figures(session, stored.campaign_id, fs, period, NOW)
        assert (weekly.households, weekly.cadres) == expect.activity()
        assert (weekly.problems, weekly.solved) == (want_p["raised"], want_p["solved_in_period"])
        counts = progress.problem_counts(session, fs, period, NOW, ASSIGN_DAYS)
        assert sum(c.raised for c in counts) == want_p["raised"]
        assert sum(c.overdue for c in counts) == want_p["overdue"]
        rows = facts.halfmonth_rows(states, period)
        assert sum(r.solved for r in rows) == want_p["solved"]
        assert sum(r.explained for r in rows) == want_p["explained"]
        assert sum(r.subtotal for r in rows) == want_p["raised"]

        # a leader's weekly digest at NOW: the week's and the last half month's figures
        check_digest(session, config, stored, fs, w, scope)

        # the exported tables, for a unit scope or the whole campaign
        if scope != "cadre":
            unit = None if scope == "all" else scope
            request = ExportRequest(
                campaign_id=stored.campaign_id,
                scope=resolve_scope(session, stored.campaign_id, unit, None),
                tz=ZoneInfo("Asia/Shanghai"),
                since=period.since,
                until=period.until,
                now=NOW,
            )
            path = tmp_path / "summary.xlsx"
            export_table(session, "summary", request, path)
            totals = read_workbook(path, 2).totals
            h = expect.coverage("household")
            assert totals[2:9] == [
                h.get("assigned", 0),
                h.get("visited", 0),
                h.get("phone", 0),
                h.get("away", 0),
                h.get("assigned", 0) - sum(h.get(o, 0) for o in COVERING),
                h.get("key_assigned", 0),
                h.get("key_covered", 0),
            ]
            assert totals[9:13] == [
                want_p["raised"],
                want_p["solved"],
                want_p["explained"],
                want_p["pending"],
            ]
            path = tmp_path / "halfmonth.xlsx"
            export_table(session, "halfmonth", request, path)
            assert read_workbook(path).totals[2:] == [
                want_p["solved"],
                want_p["pending"],
                want_p["explained"],
                want_p["raised"],
            ]
            path = tmp_path / "away.xlsx"
            export_table(session, "away", request, path)
            away = sorted(r[3] for r in read_workbook(path).body)
            want_away = sorted(
                f"户{i}"
                for i, t in enumerate(w.targets)
                if t.kind == "household"
                and expect.target_in(i)
                and expect.status(i, expect.until) == "away"
                and _status_visit_in_period(w, i, expect)
            )
            assert away == want_away
            path = tmp_path / "no-problem.xlsx"
            export_table(session, "no-problem", request, path)
            asked = sorted(r[3] for r in read_workbook(path).body)
            with_problems = {p.target for p in w.problems if p.hour < expect.until}
            want_asked = sorted(
                f"户{i}"
                for i, t in enumerate(w.targets)
                if t.kind == "household"
                and expect.target_in(i)
                and expect.status(i, expect.until) in ("visited", "phone")
                and _status_visit_in_period(w, i, expect)
                and i not in with_problems
            )
            assert asked == want_asked
    finally:
        session.rollback()


def _status_visit_in_period(w: World, i: int, expect: Recount) -> bool:
    """The visit that gives target ``i`` its status falls in the period."""
    mine = sorted(
        (v.hour, n, v.outcome)
        for n, v in enumerate(w.visits)
        if v.target == i and v.hour < expect.until
    )
    covering = [m for m in mine if m[2] in COVERING]
    last = covering[-1] if covering else mine[-1]
    return expect.since <= last[0] < expect.until


def hour_of(moment: datetime) -> int:
    return int((moment - BASE).total_seconds() // 3600)


def check_digest(session, config, stored: Stored, fs, w: World, scope: str) -> None:  # type: ignore[no-untyped-def]
    campaign = session.get(Campaign, stored.campaign_id)
    tree = UnitTree.load(session)
    d, _ = digests.figures(session, campaign, tree, fs, "weekly", "周报", NOW, config, True)
    today = local_today(NOW, config)
    monday = local_day_start(today - timedelta(days=today.weekday()), config)
    week = Recount(w, scope, hour_of(monday), hour_of(NOW))
    households, cadres = week.activity()
    p = week.problems()
    assert d.weekly == progress.WeeklyFigures(
        cadres, households, p["raised"], p["solved_in_period"]
    )
    assert d.visits_week == households
    assert sum(c.raised for c in d.counts) == p["raised"]
    assert sum(c.solved for c in d.counts) == p["solved_in_period"]
    assert sum(c.explained for c in d.counts) == p["explained_in_period"]
    assert sum(c.overdue for c in d.counts) == p["overdue"]
    now = Recount(w, scope, None, None).coverage("household")
    assert sum(c.assigned for c in d.coverage) == now.get("assigned", 0)
    assert sum(c.visited for c in d.coverage) == now.get("visited", 0)
    assert sum(c.away for c in d.coverage) == now.get("away", 0)
    assert sum(c.not_visited for c in d.coverage) == now.get("assigned", 0) - sum(
        now.get(o, 0) for o in COVERING
    )
    half = digests.halfmonth_period(today, config)
    assert half.since is not None and half.until is not None
    hp = Recount(w, scope, hour_of(half.since), hour_of(half.until)).problems()
    assert sum(r.solved for r in d.halfmonth) == hp["solved"]
    assert sum(r.pending for r in d.halfmonth) == hp["pending"]
    assert sum(r.explained for r in d.halfmonth) == hp["explained"]
