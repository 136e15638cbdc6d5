"""The export town with what the scores need: a quota, two follow-up verdicts.

刘二's 路灯 suggestion (张三, solved on time) was followed up 满意 on 11-12; 黄大's
school need (孙七) was followed up 不满意 on 11-23 06:00 UTC. The campaign asks
2 households per cadre per round.
"""

from __future__ import annotations

from datetime import UTC, datetime

from storage.models import Campaign, Problem
from tests.support.exports import ExportTown, build_export_town

QUOTA = 2


def build_score_town(session) -> ExportTown:  # type: ignore[no-untyped-def]
    etown = build_export_town(session)
    ids = etown.town.problem_ids
    road = session.get(Problem, ids["road"])
    road.status, road.satisfaction = "followed_up", "满意"
    road.followed_up_at = datetime(2026, 11, 12, 2, 0, tzinfo=UTC)
    school = session.get(Problem, ids["school"])
    school.status, school.satisfaction = "followed_up", "不满意"
    school.followed_up_at = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    session.get(Campaign, etown.town.campaign_id).quota_per_cadre = QUOTA
    session.commit()
    return etown
