"""The seeds' scores: per-cadre quota progress, 满意率, 息诉息访率, 最美走访者 candidates.

Each public function's docstring is the figure's definition (docs/facts.md, "Scores
and rates", points here). Times are aware datetimes; ``until`` is exclusive
and None means "up to now". Read-only: nothing here adds or commits.

Words used below:
- 入户走访: a visit with outcome ``visited`` (the cadre met the household at home).
- 联系: a visit with outcome visited, phone (key target reached by phone) or away
  (一般农户 not at home, details registered).
- 已办结: a problem whose status is 已解决, 已解释 or 已回访 and whose closed_at is
  before ``until``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Assignment, Cadre, Campaign, Problem, Target, Visit
from storage.vocab import OUTCOME_AWAY, OUTCOME_PHONE, OUTCOME_VISITED, TARGET_HOUSEHOLD

CONTACTS = (OUTCOME_VISITED, OUTCOME_PHONE, OUTCOME_AWAY)
CLOSED = ("solved", "explained", "followed_up")
GOOD = ("满意", "基本满意")
DISPUTE_KINDS = ("矛盾纠纷", "信访诉求")
# A phase is a visiting round when its name says 走访 (or 组织实施, seed 001) and it is
# not the planning (计划/部署) or the follow-up (回访) phase.
ROUND_WORDS = ("走访", "组织实施")
NOT_ROUND_WORDS = ("计划", "部署", "回访")
# 最美走访者: the weights of 走访扎实 / 解决问题及时 / 群众反响良好.
WEIGHTS = (0.4, 0.3, 0.3)


@dataclass(frozen=True)
class Rate:
    """``numerator`` of ``denominator``; ``percent`` is None when nothing was counted."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        if not self.denominator:
            return None
        return round(100.0 * self.numerator / self.denominator, 1)

    def text(self) -> str:
        """``87.5%`` or ``—``."""
        return "—" if self.percent is None else f"{self.percent:g}%"


@dataclass(frozen=True)
class Round:
    """A visiting round: local days [start, end], both inclusive."""

    name: str
    start: date | None
    end: date

    def bounds(self, tz: ZoneInfo) -> tuple[datetime | None, datetime]:
        start = None if self.start is None else datetime.combine(self.start, time(), tzinfo=tz)
        return start, datetime.combine(self.end + timedelta(days=1), time(), tzinfo=tz)


def visit_rounds(campaign: Campaign) -> list[Round]:
    """The campaign's visiting rounds: its phases named for visiting (走访…, 组织实施) and
    not for planning or follow-up (计划, 部署, 回访), in order; a phase without a start
    date starts the day after the previous phase's deadline. 002 configures two
    (上半年, 下半年); with none, the whole campaign is one round."""
    rounds: list[Round] = []
    previous: date | None = None
    for phase in campaign.phases:
        start = phase.start_date or (previous + timedelta(days=1) if previous else None)
        name = phase.name
        if any(w in name for w in ROUND_WORDS) and not any(w in name for w in NOT_ROUND_WORDS):
            rounds.append(Round(name, start, phase.deadline))
        previous = phase.deadline
    return rounds


@dataclass(frozen=True)
class QuotaRow:
    """One cadre's quota progress: households visited in person per round and in all."""

    cadre_id: int
    name: str
    unit_id: int
    per_round: tuple[int, ...]
    total: int
    quota_round: int
    quota_total: int

    @property
    def met(self) -> bool:
        rounds_ok = all(n >= self.quota_round for n in self.per_round)
        return rounds_ok and self.total >= self.quota_total

    @property
    def short(self) -> int:
        """Households still missing: the larger of the rounds' shortfalls added up and
        the total's shortfall (0 when met)."""
        rounds = sum(max(self.quota_round - n, 0) for n in self.per_round)
        return max(self.quota_total - self.total, rounds)


def campaign_cadres(
    session: Session, campaign_id: int, unit_ids: Collection[int] | None = None
) -> list[Cadre]:
    """The cadres who take part: active, with a target assigned or a visit logged in the
    campaign, belonging to ``unit_ids`` (None: every unit); by unit, then id."""
    assigned = select(Assignment.cadre_id).where(Assignment.campaign_id == campaign_id)
    visited = select(Visit.cadre_id).where(Visit.campaign_id == campaign_id)
    query = select(Cadre).where(
        Cadre.active, Cadre.id.in_(assigned.union(visited).scalar_subquery())
    )
    if unit_ids is not None:
        query = query.where(Cadre.unit_id.in_(sorted(unit_ids)))
    return list(session.scalars(query.order_by(Cadre.unit_id, Cadre.id)))


def problems_found_by(session: Session, cadres: Iterable[Cadre]) -> list[Problem]:
    """The problems the given cadres found (registered), every status, any campaign."""
    ids = [c.id for c in cadres]
    return list(session.scalars(select(Problem).where(Problem.found_by_id.in_(ids))))


def problems_of_units(session: Session, unit_ids: Collection[int]) -> list[Problem]:
    """The problems whose household belongs to ``unit_ids``, by id (the 满意率 and
    息诉息访率 denominators' candidates)."""
    query = select(Problem).where(Problem.unit_id.in_(list(unit_ids))).order_by(Problem.id)
    return list(session.scalars(query))


def _households_visited(
    session: Session,
    campaign_id: int,
    cadre_ids: Sequence[int],
    since: datetime | None,
    until: datetime | None,
) -> dict[int, int]:
    query = (
        select(Visit.cadre_id, func.count(func.distinct(Visit.target_id)))
        .join(Target, Target.id == Visit.target_id)
        .where(
            Visit.campaign_id == campaign_id,
            Visit.outcome == OUTCOME_VISITED,
            Target.kind == TARGET_HOUSEHOLD,
            Visit.cadre_id.in_(list(cadre_ids)),
        )
        .group_by(Visit.cadre_id)
    )
    if since is not None:
        query = query.where(Visit.submitted_at >= since)
    if until is not None:
        query = query.where(Visit.submitted_at < until)
    return {cadre_id: int(n) for cadre_id, n in session.execute(query)}


def quota_progress(
    session: Session,
    campaign: Campaign,
    cadres: Sequence[Cadre],
    tz: ZoneInfo,
    until: datetime | None = None,
) -> tuple[list[Round], list[QuotaRow]]:
    """Per cadre, the households (targets of kind 户) they visited in person (入户走访),
    counted once per round, inside each visiting round (:func:`visit_rounds`) and
    before ``until``. The total is the sum of the rounds (a household visited in both
    rounds of 002 counts twice, once per round); with no round phases it is the
    distinct households visited in the whole campaign. Quota per round is the
    campaign's ``quota_per_cadre`` (config ``campaign.quota_per_cadre``: 002 ten, 003
    thirty); the total quota is that times the number of rounds (002: 2 × 10 = 20)."""
    rounds = visit_rounds(campaign)
    ids = [c.id for c in cadres]
    per_round: list[dict[int, int]] = []
    for r in rounds:
        since, end = r.bounds(tz)
        stop = end if until is None else min(end, until)
        per_round.append(_households_visited(session, campaign.id, ids, since, stop))
    whole = _households_visited(session, campaign.id, ids, None, until) if not rounds else {}
    quota = campaign.quota_per_cadre or 0
    rows = []
    for c in cadres:
        counts = tuple(r.get(c.id, 0) for r in per_round)
        total = sum(counts) if rounds else whole.get(c.id, 0)
        rows.append(
            QuotaRow(c.id, c.name, c.unit_id, counts, total, quota, quota * max(len(rounds), 1))
        )
    return rounds, rows


def satisfaction_rate(problems: Iterable[Problem], until: datetime | None = None) -> Rate:
    """满意率 (001 四查: 民意测评结果): of the problems followed up (回访) before
    ``until`` with the household's verdict recorded, the share rated 满意 or 基本满意."""
    rated = [p for p in problems if _rated(p, until)]
    return Rate(sum(p.satisfaction in GOOD for p in rated), len(rated))


def _rated(p: Any, until: datetime | None) -> bool:
    """Followed up before ``until`` with a verdict (:func:`satisfaction_rate`'s denominator)."""
    return bool(p.satisfaction and p.followed_up_at and (until is None or p.followed_up_at < until))


def settle_rate(problems: Iterable[Problem], until: datetime | None = None) -> Rate:
    """息诉息访率 (001 三查: 各类矛盾是否有效化解): of the 矛盾纠纷 and 信访诉求 raised
    before ``until``, the share settled by then: 已办结 (solved, explained or followed
    up, closed before ``until``) and not rated 不满意 at the follow-up."""
    raised = [p for p in problems if _dispute(p, until)]
    settled = [p for p in raised if _settled(p, until)]
    return Rate(len(settled), len(raised))


def _dispute(p: Any, until: datetime | None) -> bool:
    """A 矛盾纠纷 or 信访诉求 raised before ``until`` (:func:`settle_rate`'s denominator)."""
    return bool(p.kind in DISPUTE_KINDS and (until is None or p.created_at < until))


def _settled(p: Any, until: datetime | None) -> bool:
    return _closed_by(p, until) and not _unhappy_by(p, until)


def unit_rates(session: Session, until: datetime | None) -> dict[int, tuple[Rate, Rate]]:
    """:func:`satisfaction_rate` and :func:`settle_rate` over the problems of each unit
    (``Problem.unit_id``), from one pass over the problems' columns: a subtree's rates
    are the sums of its units' numerators and denominators."""
    parts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    query = select(
        Problem.unit_id,
        Problem.kind,
        Problem.created_at,
        Problem.status,
        Problem.closed_at,
        Problem.satisfaction,
        Problem.followed_up_at,
    )
    for p in session.connection().execute(query.execution_options(yield_per=5000)):
        line = parts[p.unit_id]
        if _rated(p, until):
            line[0] += p.satisfaction in GOOD
            line[1] += 1
        if _dispute(p, until):
            line[2] += _settled(p, until)
            line[3] += 1
    return {u: (Rate(a, b), Rate(c, d)) for u, (a, b, c, d) in parts.items()}


def found_problems(session: Session) -> Iterable[Any]:
    """Every problem's columns that :func:`best_visitor_ranking` reads, streamed as Core
    rows (the ranking of every cadre at once without the ORM's objects or bookkeeping)."""
    query = select(
        Problem.found_by_id,
        Problem.created_at,
        Problem.deadline,
        Problem.status,
        Problem.closed_at,
        Problem.satisfaction,
        Problem.followed_up_at,
    )
    return session.connection().execute(query.execution_options(yield_per=5000))


def _unhappy_by(p: Any, until: datetime | None) -> bool:
    """Rated 不满意 at a follow-up made before ``until``."""
    return (
        p.satisfaction == "不满意"
        and p.followed_up_at is not None
        and (until is None or p.followed_up_at < until)
    )


def solve_rate(problems: Iterable[Problem], until: datetime | None = None) -> Rate:
    """问题办结率 (001 二查: 为民办事是否切实践诺): of the problems raised before
    ``until``, the share 已办结 by then (已解决, 已解释 or 已回访)."""
    raised = [p for p in problems if until is None or p.created_at < until]
    return Rate(sum(_closed_by(p, until) for p in raised), len(raised))


def _closed_by(p: Any, until: datetime | None) -> bool:
    return p.status in CLOSED and p.closed_at is not None and (until is None or p.closed_at < until)


def _due(p: Any, until: datetime | None) -> bool:
    return p.deadline is not None and (
        _closed_by(p, until) or (until is not None and p.deadline < until)
    )


def _on_time(p: Any, until: datetime | None) -> bool:
    # 按期办结 (docs/facts.md "on time"): of the problems with a 交办 deadline that were
    # closed before ``until`` or whose deadline passed before it (``_due``), those closed
    # on or before the deadline. Without ``until`` only the closed ones are judged.
    return (
        _closed_by(p, until)
        and p.closed_at is not None
        and p.deadline is not None
        and p.closed_at <= p.deadline
    )


@dataclass(frozen=True)
class Candidate:
    """One cadre's standing for 最美走访者 (000 总结表彰)."""

    cadre_id: int
    name: str
    unit_id: int
    coverage: Rate  # 走访扎实: own assigned targets contacted
    in_person: int  # 入户走访 households
    problems: int  # problems the cadre found
    on_time: Rate  # 解决问题及时
    satisfaction: Rate  # 群众反响良好
    score: float


def best_visitor_ranking(
    session: Session,
    campaign_id: int,
    cadres: Sequence[Cadre],
    problems: Iterable[Any],
    until: datetime | None = None,
) -> list[Candidate]:
    """最美走访者 candidates (000: 走访群众扎实, 解决问题及时, 群众反响良好), best first.

    For each cadre with targets assigned: 走访扎实 = the share of their assigned targets
    contacted (联系) before ``until``; 解决问题及时 = 按期办结率 (``_due`` / ``_on_time``)
    over the problems they found; 群众反响良好 = :func:`satisfaction_rate` over the same. The
    score (0-100) is the weighted mean 40/30/30 of the shares that have a denominator
    (a share with nothing to count is left out, its weight shared by the others). Ties
    go to more 入户走访, then the roster order. A ranking to show a committee, not
    the verdict."""
    ids = [c.id for c in cadres]
    assigned: dict[int, int] = defaultdict(int)
    contacted: dict[int, int] = defaultdict(int)
    contact_query = select(Visit.target_id).where(
        Visit.campaign_id == campaign_id, Visit.outcome.in_(CONTACTS)
    )
    if until is not None:
        contact_query = contact_query.where(Visit.submitted_at < until)
    reached = set(session.scalars(contact_query))
    for cadre_id, target_id in session.execute(
        select(Assignment.cadre_id, Assignment.target_id).where(
            Assignment.campaign_id == campaign_id, Assignment.cadre_id.in_(ids)
        )
    ):
        assigned[cadre_id] += 1
        contacted[cadre_id] += target_id in reached
    in_person = _households_visited(session, campaign_id, ids, None, until)
    # Per finder: found, on time, due, rated 满意/基本满意, rated (the two rates' parts).
    found: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for p in problems:
        if until is None or p.created_at < until:
            line = found[p.found_by_id]
            line[0] += 1
            if _due(p, until):
                line[1] += _on_time(p, until)
                line[2] += 1
            if _rated(p, until):
                line[3] += p.satisfaction in GOOD
                line[4] += 1
    out = []
    for order, c in enumerate(cadres):
        if not assigned[c.id]:
            continue
        mine = found[c.id]
        shares = (
            Rate(contacted[c.id], assigned[c.id]),
            Rate(mine[1], mine[2]),
            Rate(mine[3], mine[4]),
        )
        weighed = [(w, s.percent) for w, s in zip(WEIGHTS, shares, strict=True)]
        known = [(w, pct) for w, pct in weighed if pct is not None]
        total_weight = sum(w for w, _ in known)
        score = round(sum(w * pct for w, pct in known) / total_weight, 1) if known else 0.0
        cand = Candidate(
            c.id,
            c.name,
            c.unit_id,
            shares[0],
            in_person.get(c.id, 0),
            mine[0],
            shares[1],
            shares[2],
            score,
        )
        out.append((order, cand))
    out.sort(key=lambda oc: (-oc[1].score, -oc[1].in_person, oc[0]))
    return [cand for _, cand in out]
