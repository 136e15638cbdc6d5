"""Leader digests: daily (evening), weekly (Sunday evening, with a chart), half-monthly.

Each leader (role ``leader``) gets a markdown digest for their unit's subtree;
leaders of the same unit share one batched message. Configured group chats get a
plain-text version with counts only: no categories of people, no problem texts,
no keywords. Contents (issue 7 / seed 003):
- coverage by village, or by cadre for a 线办/部门 (入户走访 / 电话联系 / 不在家已登记 /
  未走访 of 应走访, key targets) and the 村（社区） / 单位或商铺 lines,
- 走访户数 today and this week, problems raised / solved / explained / overdue,
- cadres behind pace, the week's top jieba keywords (leaders only),
- weekly: 干部走访人数, 走访户数, 汇总问题数, 解决问题数 and a chart image,
- half-monthly: 附件5 已解决 / 待解决 / 已解释 per category for the last half month.

Every figure is a :mod:`storage.facts` query; its definition is in docs/facts.md.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime, timedelta

from bot.config import Config
from bot.pages.links import overview_url, pages_configured
from scheduler import charts, prompts
from scheduler.base import (
    JobResult,
    iso_week,
    local_day_start,
    local_now,
    local_today,
)
from scheduler.digest_keywords import KeywordCells, keywords
from scheduler.digest_scores import RunScores
from scheduler.sending import Spreader, image_payload, send_group, send_personal
from storage import cadres, facts, progress
from storage.cadres import leaders_by_unit
from storage.campaigns import find_active_campaign
from storage.db import Session
from storage.facts import FactScope, Period
from storage.models import Campaign, Unit
from storage.outbox import markdown_payload
from storage.progress import (
    CadreProgress,
    cadre_progress,
    halfmonth_rows,
    other_kinds,
    problem_counts,
    problem_texts,
    scope_coverage,
    weekly_figures,
)
from storage.progress_rollup import RunFigures
from storage.runs import claim_run, finish_run
from storage.units import UnitTree


def behind_pace(
    session: Session,
    campaign: Campaign,
    unit_ids: Sequence[int],
    today: date,
) -> list[CadreProgress]:
    """Cadres whose covered share is below the share of the current phase elapsed.

    The current phase is the first whose deadline is today or later; it runs from its
    start date (or the day after the previous deadline). Past every deadline, anyone
    with targets left is behind.
    """
    return behind_of(campaign, cadre_progress(session, campaign.id, unit_ids), today)


def behind_of(
    campaign: Campaign, progress: Sequence[CadreProgress], today: date
) -> list[CadreProgress]:
    """:func:`behind_pace` of the cadres' ``progress`` (the rule, without the query)."""
    start: date | None = None
    end: date | None = None
    previous: date | None = None
    for phase in campaign.phases:
        if phase.deadline >= today:
            start = phase.start_date or (previous + timedelta(days=1) if previous else None)
            end = phase.deadline
            break
        previous = phase.deadline
    if end is None:
        return [p for p in progress if p.remaining > 0]
    if start is None or start > today:
        return []
    share = ((today - start).days + 1) / ((end - start).days + 1)
    return [p for p in progress if p.contacted < int(p.assigned * share)]


def halfmonth_period(today: date, config: Config) -> Period:
    """The last completed half month before ``today``: sent on the 16th it is the 1st to
    the 15th, sent on the 1st it is the 16th to the end of the previous month."""
    if today.day >= 16:
        first, end = today.replace(day=1), today.replace(day=16)
    else:
        end = today.replace(day=1)
        first = (end - timedelta(days=1)).replace(day=16)
    return Period(local_day_start(first, config), local_day_start(end, config))


def figures(
    session: Session,
    campaign: Campaign,
    tree: UnitTree,
    scope: FactScope,
    kind: str,
    title: str,
    now: datetime,
    config: Config,
    leader: bool,
) -> tuple[prompts.DigestFigures, list[str]]:
    """The figures of one digest for ``scope``, and its problem texts (for the group
    guard; empty for a leader's digest, which is private).

    Every figure is a :mod:`storage.facts` query (docs/facts.md): coverage as of now,
    走访户数 today and this week, problems of the day or the week (新增, 已解决, 已解释 in
    it; 逾期 now), seed 003's weekly four, and 附件5 over the last half month.
    ``leader`` False leaves out what only leaders see (keywords, cadres behind).
    """
    today = local_today(now, config)
    day = Period(local_day_start(today, config), now)
    week = Period(local_day_start(today - timedelta(days=today.weekday()), config), now)
    period = week if kind == "weekly" else day
    # The group guard's look-out list, and the leaders' keywords: each only where used.
    texts = [] if leader else problem_texts(session, campaign.id, scope)
    with_keywords = leader and kind != "halfmonth"
    week_texts = (
        problem_texts(session, campaign.id, scope, since=week.since) if with_keywords else []
    )
    assign_days = config.ledger.assign_within_days
    half = halfmonth_period(today, config)
    half_states = facts.problem_states(
        session, scope, half, now=now, assign_within_days=assign_days, campaign_id=campaign.id
    )
    cadre_units = sorted(scope.unit_ids) if scope.basis != facts.ALL else list(tree.units)
    figures = prompts.DigestFigures(
        kind=kind,
        title=title,
        unit=scope.label,
        stamp=prompts.stamp(local_now(now, config)),
        coverage=scope_coverage(session, campaign.id, tree, scope),
        other_kinds=other_kinds(session, campaign.id, scope),
        visits_today=facts.activity(session, campaign.id, scope, day).households,
        visits_week=facts.activity(session, campaign.id, scope, week).households,
        counts=problem_counts(session, scope, period, now, assign_days),
        behind=behind_pace(session, campaign, cadre_units, today) if leader else (),
        keywords=keywords(week_texts) if with_keywords else (),
        weekly=weekly_figures(session, campaign.id, scope, week, now) if kind == "weekly" else None,
        halfmonth=halfmonth_rows(half_states, half),
        halfmonth_label=prompts.period_text(half.since, half.until, config.campaign.timezone)
        if half.since and half.until
        else "",
    )
    return figures, texts


def page_link(config: Config, now: datetime) -> Callable[[str], str] | None:
    """With the pages on, each leader's digest ends with their own signed link to 总览
    (it logs them in even where WeCom's web authorization is not at hand)."""
    if not pages_configured(config):
        return None
    hours = max(1, config.pages.link_ttl_minutes // 60)
    return lambda userid: prompts.DIGEST_PAGE_LINK.format(
        url=overview_url(config, userid, now), hours=hours
    )


# Units whose leaders get the weekly chart: the county and its towns. A village's
# chart (one bar) said nothing its digest does not, and 300 of them cost minutes.
CHART_UNIT_KINDS = ("县", "镇", "街道")


class RunDigests:
    """One digest round's figures for every scope, each figure counted once per run
    (:class:`storage.progress_rollup.RunFigures`); :meth:`figures` gives for a unit
    scope exactly what :func:`figures` gives (tests/scheduler/test_digest_rollup.py)."""

    def __init__(
        self,
        session: Session,
        campaign: Campaign,
        tree: UnitTree,
        kind: str,
        now: datetime,
        config: Config,
        org_units: Collection[int],
    ) -> None:
        self.session, self.campaign, self.tree = session, campaign, tree
        self.kind, self.now, self.config = kind, now, config
        self.today = local_today(now, config)
        day = Period(local_day_start(self.today, config), now)
        self.week = Period(
            local_day_start(self.today - timedelta(days=self.today.weekday()), config), now
        )
        self.half = halfmonth_period(self.today, config)
        self.run = RunFigures(
            session,
            campaign.id,
            tree,
            now,
            counts_period=self.week if kind == "weekly" else day,
            activity_periods={"day": day, "week": self.week},
            half=self.half,
            assign_within_days=config.ledger.assign_within_days,
            org_units=org_units,
        )
        self.behind = behind_of(campaign, self.run.cadre_progress(tree.units), self.today)
        self._keywords: KeywordCells | None = None

    def keywords(self, scope: FactScope) -> list[str]:
        """The week's keywords of ``scope``; the texts are cut on first use only."""
        if self._keywords is None:
            self._keywords = KeywordCells(self.session, self.week.since)
        return self._keywords.of(scope)

    def figures(self, scope: FactScope, title: str, leader: bool) -> prompts.DigestFigures:
        """:func:`figures` of a unit scope, read off the run's counts."""
        run, kind = self.run, self.kind
        with_keywords = leader and kind != "halfmonth"
        half = self.half
        cadre_units = set(scope.unit_ids)
        return prompts.DigestFigures(
            kind=kind,
            title=title,
            unit=scope.label,
            stamp=prompts.stamp(local_now(self.now, self.config)),
            coverage=run.scope_coverage(scope),
            other_kinds=run.other_kinds(scope),
            visits_today=run.households("day", scope),
            visits_week=run.households("week", scope),
            counts=run.problem_counts(scope),
            behind=[p for p in self.behind if p.unit_id in cadre_units] if leader else (),
            keywords=self.keywords(scope) if with_keywords else (),
            weekly=run.weekly_figures(scope) if kind == "weekly" else None,
            halfmonth=run.halfmonth_rows(scope),
            halfmonth_label=prompts.period_text(
                half.since, half.until, self.config.campaign.timezone
            )
            if half.since and half.until
            else "",
        )

    def chart_rows(self, unit: Unit) -> list[progress.UnitCoverage]:
        """The weekly chart's bars: household coverage of each unit directly under
        ``unit`` (its subtree by place), those with households only."""
        rows = []
        for child_id in sorted(self.tree.children.get(unit.id, [])):
            child = self.tree.units[child_id]
            scope = facts.scope_in_tree(self.tree, child, basis=facts.PLACE)
            line = facts.of_kind(self.run.coverage_lines(scope))
            if line.assigned:
                rows.append(progress.unit_coverage_row(child.name, line))
        return rows


def _send(session: Session, now: datetime, config: Config, kind: str) -> tuple[int, list[str]]:
    """Build and queue one digest round (leaders, then groups).

    Returns the rows queued and notes on group messages the privacy guard refused.
    """
    campaign = find_active_campaign(session)
    if campaign is None:
        return 0, []
    tree = UnitTree.load(session)
    spreader = Spreader(session, now)
    today = local_today(now, config)
    title = prompts.digest_title(campaign.name, kind, today, iso_week(today))
    sent = 0
    notes: list[str] = []
    leaders = leaders_by_unit(session)
    scopes = {u: facts.scope_in_tree(tree, tree.units[u]) for u in leaders}
    group_units = [u for g in config.groups if (u := tree.by_name(g.unit)) is not None]
    for unit in group_units:
        scopes.setdefault(unit.id, facts.scope_in_tree(tree, unit))
    org_units = {u for sc in scopes.values() if sc.basis == facts.ORG for u in sc.unit_ids}
    digest = RunDigests(session, campaign, tree, kind, now, config, org_units)
    scores = RunScores(session, campaign, tree, now, config) if kind == "weekly" else None
    for unit_id, members in leaders.items():
        unit = tree.units[unit_id]
        d = digest.figures(scopes[unit_id], title, True)
        text = prompts.digest_markdown(d)
        if scores is not None:
            text += scores.section(unit_id)
        sent += send_personal(
            session, spreader, members, markdown_payload(text), now, page_link(config, now)
        )
        if kind == "weekly" and unit.kind in CHART_UNIT_KINDS:
            rows = [(r.label, r.solved, r.pending) for r in d.halfmonth]
            png = charts.weekly_chart(f"{d.unit} {title}", digest.chart_rows(unit), rows)
            image = image_payload(png, f"weekly-{unit_id}.png")
            sent += send_personal(session, spreader, members, image, now)
    allow = [u.name for u in tree.units.values()] + [campaign.name, title]
    allow += cadres.all_names(session)
    for group in config.groups:
        found = tree.by_name(group.unit)
        if found is None:
            continue
        scope = scopes[found.id]
        d = digest.figures(scope, title, False)
        texts = problem_texts(session, campaign.id, scope)
        text = prompts.digest_group_text(d)
        refused = send_group(
            session,
            spreader,
            group,
            text,
            now,
            problem_texts=texts,
            allow=allow,
            job=f"digest_{kind}",
        )
        if refused:
            notes.append(refused)
        else:
            sent += 1
    return sent, notes


def _run(
    session: Session, now: datetime, config: Config, kind: str, period: str, force: bool
) -> JobResult:
    job = f"digest_{kind}"
    key = f"digest:{kind}:{period}"
    if not claim_run(session, key, job, now, force):
        return JobResult(job, skipped=(key,))
    sent, notes = _send(session, now, config, kind)
    finish_run(session, key, now, "; ".join([f"{sent} message(s)", *notes]))
    return JobResult(job, (key,), (), sent, tuple(notes))


def daily(session: Session, now: datetime, config: Config, *, force: bool = False) -> JobResult:
    """Today's digest (``digest:daily:<date>``): local midnight until now."""
    return _run(session, now, config, "daily", local_today(now, config).isoformat(), force)


def weekly(session: Session, now: datetime, config: Config, *, force: bool = False) -> JobResult:
    """This ISO week's digest (``digest:weekly:<week>``) with seed 003's figures and a chart."""
    return _run(session, now, config, "weekly", iso_week(local_today(now, config)), force)


def halfmonth(session: Session, now: datetime, config: Config, *, force: bool = False) -> JobResult:
    """The half-monthly 附件5 summary (``digest:halfmonth:<date>``), on the 1st and 16th."""
    return _run(session, now, config, "halfmonth", local_today(now, config).isoformat(), force)
