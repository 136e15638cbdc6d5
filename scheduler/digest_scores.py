"""The weekly digest's 走访任务与评分 section (leaders only), from storage.facts.scores.

Four lines for the leader's unit subtree: how many cadres meet the quota (and the
three furthest behind), 满意率 and 息诉息访率 over the subtree's problems, and the
top three 最美走访者 candidates. Definitions: the docstrings of storage/facts/scores.py.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.config import Config
from storage.db import Session
from storage.exports import score_labels as S
from storage.facts import scores
from storage.models import Campaign
from storage.units import UnitTree

SHOWN = 3


def scores_section(
    session: Session,
    campaign: Campaign,
    tree: UnitTree,
    unit_id: int,
    now: datetime,
    config: Config,
) -> str:
    """Markdown lines (starting with a blank line) for ``unit_id``'s subtree at ``now``."""
    scope = tree.subtree(unit_id)
    cadres = scores.campaign_cadres(session, campaign.id, scope)
    tz = ZoneInfo(config.campaign.timezone)
    _, quota = scores.quota_progress(session, campaign, cadres, tz, now)
    lines = ["", S.DIGEST_HEADER]
    if campaign.quota_per_cadre:
        met = sum(q.met for q in quota)
        lines.append(
            S.DIGEST_QUOTA.format(met=met, cadres=len(quota), quota=campaign.quota_per_cadre)
        )
        behind = sorted((q for q in quota if not q.met), key=lambda q: -q.short)[:SHOWN]
        if behind:
            names = "、".join(f"{q.name}（{S.short(q.short)}）" for q in behind)
            lines.append(S.DIGEST_BEHIND.format(names=names))
    else:
        lines.append(S.DIGEST_QUOTA_NONE)
    problems = scores.problems_of_units(session, scope)
    happy = scores.satisfaction_rate(problems, now)
    settled = scores.settle_rate(problems, now)
    lines.append(
        S.DIGEST_RATES.format(
            satisfaction=happy.text(),
            rated=happy.denominator,
            settle=settled.text(),
            disputes=settled.denominator,
        )
    )
    found = scores.problems_found_by(session, cadres)
    ranking = scores.best_visitor_ranking(session, campaign.id, cadres, found, now)
    if ranking:
        names = "、".join(f"{c.name}（{c.score:g}）" for c in ranking[:SHOWN])
        lines.append(S.DIGEST_BEST.format(names=names))
    return "\n".join(lines)
