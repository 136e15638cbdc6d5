"""The score definitions (storage/facts/scores.py) on the small town, cutoffs included."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from storage.facts import scores
from storage.models import Campaign, Problem

TZ = ZoneInfo("Asia/Shanghai")
END_OF_23RD = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # 11-24 00:00 Shanghai


def test_rounds_are_the_visiting_phases(session, stown):
    campaign = session.get(Campaign, stown.town.campaign_id)
    rounds = scores.visit_rounds(campaign)
    # 制定走访计划 is planning, 集中化解 is not visiting
    assert [(r.name, r.start, r.end) for r in rounds] == [
        ("走访排查", date(2026, 11, 11), date(2026, 11, 26))
    ]


def test_quota_counts_households_visited_in_person_per_round(session, stown):
    campaign = session.get(Campaign, stown.town.campaign_id)
    # two rounds, as seed 002 has: 上半年 to 11-15, 下半年 from 11-16
    campaign.phases[0].name, campaign.phases[0].deadline = "走访摸排（上半年）", date(2026, 11, 15)
    campaign.phases[1].name, campaign.phases[1].start_date = (
        "走访摸排（下半年）",
        date(2026, 11, 16),
    )
    campaign.quota_per_cadre = 1
    session.flush()
    cadres = scores.campaign_cadres(session, campaign.id)
    assert [c.name for c in cadres] == ["张三", "李四", "孙七", "周八"]
    rounds, rows = scores.quota_progress(session, campaign, cadres, TZ)
    assert [r.name for r in rounds] == ["走访摸排（上半年）", "走访摸排（下半年）"]
    got = {q.name: (q.per_round, q.total, q.quota_total, q.met, q.short) for q in rows}
    # 李四: 陈大 on 11-12, 陈二 on 11-20 (陈三 was away: not in person)
    assert got["李四"] == ((1, 1), 2, 2, True, 0)
    # 张三: 刘大 on 11-18 only; 刘二 was a phone call
    assert got["张三"] == ((0, 1), 1, 2, False, 1)
    assert got["周八"] == ((0, 0), 0, 2, False, 2)  # an appointment is not a visit


def test_satisfaction_and_settle_rates(session, stown):
    problems = list(session.scalars(select(Problem)))
    happy = scores.satisfaction_rate(problems)
    assert (happy.numerator, happy.denominator, happy.text()) == (1, 2, "50%")
    before = scores.satisfaction_rate(problems, datetime(2026, 11, 23, 5, 0, tzinfo=UTC))
    assert (before.numerator, before.denominator) == (1, 1)  # 不满意 came at 06:00
    settle = scores.settle_rate(problems)
    assert (settle.numerator, settle.denominator) == (0, 1)  # the dispute is still open
    dispute = session.get(Problem, stown.dispute_id)
    dispute.status, dispute.closed_at = "explained", datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    session.flush()
    assert scores.settle_rate([dispute]).percent == 100.0
    assert scores.settle_rate([dispute], END_OF_23RD.replace(hour=7)).percent == 0.0
    # rated 不满意 at a follow-up: not settled from then on, settled before it
    dispute.satisfaction = "不满意"
    dispute.followed_up_at = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert scores.settle_rate([dispute]).percent == 0.0
    assert scores.settle_rate([dispute], END_OF_23RD.replace(hour=9)).percent == 100.0
    assert scores.Rate(0, 0).text() == "—"


def test_best_visitor_ranking_is_the_weighted_score(session, stown):
    cadres = scores.campaign_cadres(session, stown.town.campaign_id)
    problems = list(session.scalars(select(Problem)))
    ranking = scores.best_visitor_ranking(
        session, stown.town.campaign_id, cadres, problems, END_OF_23RD
    )
    assert [(c.name, c.score) for c in ranking] == [
        ("李四", 100.0),  # every household reached; nothing else to judge
        ("张三", 65.0),  # 50% reached, 1 of 2 on time (切坡 overdue), 满意 1/1
        ("孙七", 38.1),  # 66.7% reached, nothing due yet, 不满意 1/1: (26.68 + 0) / 0.7
        ("周八", 0.0),
    ]
    zhang = ranking[1]
    assert (zhang.coverage.text(), zhang.on_time.text(), zhang.in_person) == ("50%", "50%", 1)
