"""The clocks: one running clock per open problem, overdue computed from a frozen now."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import LedgerConfig
from bot.ledger.clocks import ProblemTimes, clock_of, default_deadline, overdue_thresholds
from tests.support.clock import FROZEN_NOW, ZONE

CFG = LedgerConfig(assign_within_days=2, followup_within_days=7)
T0 = FROZEN_NOW  # 2026-11-23 09:00 UTC = 17:00 Shanghai


def test_registered_runs_the_assign_clock():
    times = ProblemTimes("registered", T0, None, None)
    c = clock_of(times, T0 + timedelta(hours=1), CFG)
    assert (c.step, c.due, c.overdue, c.days_left) == ("交办", T0 + timedelta(days=2), False, 1)
    assert c.label(ZONE) == "交办 11月25日前，剩1天"


def test_one_second_late_is_overdue():
    times = ProblemTimes("registered", T0, None, None)
    c = clock_of(times, T0 + timedelta(days=2, seconds=1), CFG)
    assert c.overdue and c.days_left == -1
    assert c.label(ZONE) == "交办 已超期1天（应于11月25日前）"


@pytest.mark.parametrize("status", ["assigned", "in_progress"])
def test_assigned_runs_the_deadline(status):
    times = ProblemTimes(status, T0, T0 + timedelta(days=7), None)
    assert clock_of(times, T0 + timedelta(days=6), CFG).label(ZONE) == "办结 11月30日前，剩1天"
    late = clock_of(times, T0 + timedelta(days=10), CFG)
    assert late.overdue and late.days_left == -3


@pytest.mark.parametrize("status", ["solved", "explained"])
def test_closed_runs_the_follow_up_clock(status):
    times = ProblemTimes(status, T0, T0 + timedelta(days=7), T0 + timedelta(days=3))
    c = clock_of(times, T0 + timedelta(days=3), CFG)
    assert (c.step, c.due) == ("回访", T0 + timedelta(days=10))


def test_followed_up_has_no_clock():
    assert clock_of(ProblemTimes("followed_up", T0, None, T0), T0, CFG) is None


def test_due_today():
    times = ProblemTimes("assigned", T0, T0 + timedelta(hours=5), None)
    assert clock_of(times, T0, CFG).label(ZONE).startswith("办结 今天到期")


@pytest.mark.parametrize(("level", "days"), [("town", 7), ("linked", 15), ("city", 30)])
def test_default_deadlines_by_responsibility(level, days):
    assert default_deadline(T0, level, LedgerConfig()) == T0 + timedelta(days=days)


def test_unknown_responsibility_is_a_programming_error():
    with pytest.raises(ValueError):
        default_deadline(T0, "province", CFG)


def test_thresholds_agree_with_clock_of():
    th = overdue_thresholds(T0, CFG)
    created = T0 - timedelta(days=2, seconds=1)
    assert clock_of(ProblemTimes("registered", created, None, None), T0, CFG).overdue
    assert created < th["registered"]
    closed = T0 - timedelta(days=6)
    assert not clock_of(ProblemTimes("solved", closed, None, closed), T0, CFG).overdue
    assert not closed < th["solved"]


def test_partly_late_days_count_down_not_up():
    times = ProblemTimes("assigned", T0, T0 + timedelta(days=1), None)
    assert clock_of(times, T0 + timedelta(days=2, hours=1), CFG).days_left == -1
    assert clock_of(times, T0 - timedelta(hours=12), CFG).days_left == 1
