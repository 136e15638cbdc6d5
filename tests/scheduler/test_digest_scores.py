"""The weekly digest's 走访任务与评分 section: leaders see quota, rates and candidates."""

from __future__ import annotations

from datetime import UTC, datetime

from scheduler import digests
from storage.models import Campaign, Problem
from tests.support.outbox import content, group_rows, outbox


def _leader_text(s, userid: str) -> str:  # type: ignore[no-untyped-def]
    (row,) = [r for r in outbox(s) if r.channel == "message" and r.recipient == userid and
              r.payload["msgtype"] == "markdown"]  # fmt: skip
    return content(row)


def test_weekly_digest_scores_section(sessions, sconfig, town, now):
    with sessions() as s:
        s.get(Campaign, town.campaign_id).quota_per_cadre = 2
        road = s.get(Problem, town.problem_ids["road"])
        road.status, road.satisfaction = "followed_up", "满意"
        road.followed_up_at = datetime(2026, 11, 12, 2, 0, tzinfo=UTC)
        s.commit()
        digests.weekly(s, now, sconfig)
        s.commit()
        text = _leader_text(s, "wangsj")
        east = _leader_text(s, "zhaozs")
        groups = [content(r) for r in group_rows(s)]
    section = text.split("**走访任务与评分**")[1]
    assert "走访任务：达标 1/4 人（每人每轮 ≥2 户，按入户走访计）" in section
    assert "差得最多：周八（差 2 户）、张三（差 1 户）、孙七（差 1 户）" in section
    assert "满意率 100%（1 件回访评价）；息诉息访率 —（0 件矛盾纠纷/信访）" in section
    assert "最美走访者候选：李四（100）、张三（65）、孙七（33.3）" in section
    # 东山村's leader sees 东山村's cadres only
    assert "达标 1/2 人" in east and "孙七" not in east.split("**走访任务与评分**")[1]
    assert all("最美走访者" not in g and "走访任务与评分" not in g for g in groups)


def test_daily_digest_has_no_scores_section(sessions, sconfig, town, now):
    with sessions() as s:
        digests.daily(s, now, sconfig)
        s.commit()
        assert "走访任务与评分" not in _leader_text(s, "wangsj")
