"""The weekly digest's 走访任务与评分 section (leaders only), from storage.facts.scores.

Four lines for the leader's unit subtree: how many cadres meet the quota (and the
three furthest behind), 满意率 and 息诉息访率 over the subtree's problems, and the
top three 最美走访者 candidates. Definitions: the docstrings of storage/facts/scores.py.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    problems = scores.problems_of_units(session, scope)
    happy = scores.satisfaction_rate(problems, now)
    settled = scores.settle_rate(problems, now)
    found = scores.problems_found_by(session, cadres)
    ranking = scores.best_visitor_ranking(session, campaign.id, cadres, found, now)
    return _lines(campaign, quota, happy, settled, ranking)


def _lines(
    campaign: Campaign,
    quota: Sequence[scores.QuotaRow],
    happy: scores.Rate,
    settled: scores.Rate,
    ranking: Sequence[scores.Candidate],
) -> str:
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
    lines.append(
        S.DIGEST_RATES.format(
            satisfaction=happy.text(),
            rated=happy.denominator,
            settle=settled.text(),
            disputes=settled.denominator,
        )
    )
    if ranking:
        names = "、".join(f"{c.name}（{c.score:g}）" for c in ranking[:SHOWN])
        lines.append(S.DIGEST_BEST.format(names=names))
    return "\n".join(lines)


class RunScores:
    """Every leader unit's section from one computation per run: quota progress and the
    最美走访者 ranking of every campaign cadre (each cadre's figures are their own), the
    two rates per unit; a subtree's section keeps its cadres (in the same order) and
    adds its units' rates. The same text as :func:`scores_section`."""

    def __init__(
        self, session: Session, campaign: Campaign, tree: UnitTree, now: datetime, config: Config
    ) -> None:
        self.campaign, self.tree = campaign, tree
        cadres = scores.campaign_cadres(session, campaign.id)
        tz = ZoneInfo(config.campaign.timezone)
        _, self.quota = scores.quota_progress(session, campaign, cadres, tz, now)
        self.rates = scores.unit_rates(session, now)
        found = scores.found_problems(session)
        self.ranking = scores.best_visitor_ranking(session, campaign.id, cadres, found, now)

    def section(self, unit_id: int) -> str:
        """:func:`scores_section` of ``unit_id``'s subtree."""
        units = set(self.tree.subtree(unit_id))
        quota = [q for q in self.quota if q.unit_id in units]
        parts = [self.rates[u] for u in sorted(units) if u in self.rates]
        happy = scores.Rate(
            sum(h.numerator for h, _ in parts), sum(h.denominator for h, _ in parts)
        )
        settled = scores.Rate(
            sum(s.numerator for _, s in parts), sum(s.denominator for _, s in parts)
        )
        ranking = [c for c in self.ranking if c.unit_id in units]
        return _lines(self.campaign, quota, happy, settled, ranking)
