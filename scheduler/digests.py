"""Leader digests: daily (evening), weekly (Sunday evening, with a chart), half-monthly.

Each leader (role ``leader``) gets a markdown digest for their unit's subtree;
leaders of the same unit share one batched message. Configured group chats get a
plain-text version with counts only: no categories of people, no problem texts,
no keywords. Contents (issue 7 / seed 003):
- coverage by unit (已走访 / 电话联系 / 未走访 of 应走访, key targets),
- visits today and this week, problems raised / solved / overdue by category,
- cadres behind pace, the week's top jieba keywords (leaders only),
- weekly: 干部走访人数, 走访户数, 汇总问题数, 解决问题数 and a chart image,
- half-monthly: 附件5 已解决 / 待解决 per category.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Config
from scheduler import charts, prompts
from scheduler.base import (
    JobResult,
    claim,
    finish,
    iso_week,
    local_day_start,
    local_now,
    local_today,
)
from scheduler.digest_scores import scores_section
from scheduler.sending import Spreader, image_payload, send_group, send_personal
from scheduler.stats import (
    CadreProgress,
    UnitTree,
    best_outcomes,
    cadre_progress,
    contacts_between,
    coverage,
    halfmonth_summary,
    problem_counts,
    problems_in_scope,
    weekly_figures,
)
from storage.campaigns import find_active_campaign
from storage.models import Cadre, Campaign
from storage.outbox import markdown_payload

KEYWORDS = 10
# Words every problem text uses; they say nothing about what the week was about.
KEYWORD_STOPWORDS = frozenset(
    {"希望", "群众", "反映", "需要", "问题", "村民", "居民", "建议", "解决", "尽快", "要求", "存在"}
)


def leaders_by_unit(session: Session) -> dict[int, list[str]]:
    """Active leaders' userids per unit id."""
    out: dict[int, list[str]] = defaultdict(list)
    rows = session.execute(
        select(Cadre.unit_id, Cadre.userid)
        .where(Cadre.role == "leader", Cadre.active)
        .order_by(Cadre.id)
    )
    for unit_id, userid in rows:
        out[unit_id].append(userid)
    return dict(out)


def behind_pace(
    session: Session,
    campaign: Campaign,
    unit_ids: Sequence[int],
    today: date,
    best: dict[int, str] | None = None,
) -> list[CadreProgress]:
    """Cadres whose contacted share is below the share of the current phase elapsed.

    The current phase is the first whose deadline is today or later; it runs from its
    start date (or the day after the previous deadline). Past every deadline, anyone
    with households left is behind.
    """
    start: date | None = None
    end: date | None = None
    previous: date | None = None
    for phase in campaign.phases:
        if phase.deadline >= today:
            start = phase.start_date or (previous + timedelta(days=1) if previous else None)
            end = phase.deadline
            break
        previous = phase.deadline
    progress = cadre_progress(session, campaign.id, unit_ids, best)
    if end is None:
        return [p for p in progress if p.remaining > 0]
    if start is None or start > today:
        return []
    share = ((today - start).days + 1) / ((end - start).days + 1)
    return [p for p in progress if p.contacted < int(p.assigned * share)]


def keywords(texts: Sequence[str], top: int = KEYWORDS) -> list[str]:
    """The most characteristic words (jieba TF-IDF) of ``texts``; leaders only."""
    if not texts:
        return []
    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    words = jieba.analyse.extract_tags("\n".join(texts), topK=top + len(KEYWORD_STOPWORDS))
    return [w for w in words if w not in KEYWORD_STOPWORDS][:top]


def _figures(
    session: Session,
    campaign: Campaign,
    tree: UnitTree,
    unit_id: int,
    kind: str,
    title: str,
    now: datetime,
    config: Config,
    best: dict[int, str],
    leader: bool,
) -> tuple[prompts.DigestFigures, list[str]]:
    """The figures for ``unit_id``'s subtree, and its problem texts (for the guard).

    ``leader`` False leaves out what only leaders see (keywords, cadres behind).
    """
    today = local_today(now, config)
    day_start = local_day_start(today, config)
    week_start = local_day_start(today - timedelta(days=today.weekday()), config)
    since = week_start if kind == "weekly" else day_start
    scope = tree.subtree(unit_id)
    problems = problems_in_scope(session, scope)
    texts = [p.text for p in problems]
    figures = prompts.DigestFigures(
        kind=kind,
        title=title,
        unit=tree.name(unit_id),
        stamp=prompts.stamp(local_now(now, config)),
        coverage=coverage(session, campaign.id, tree, scope, best),
        visits_today=len(contacts_between(session, campaign.id, scope, day_start, now)),
        visits_week=len(contacts_between(session, campaign.id, scope, week_start, now)),
        counts=problem_counts(problems, since, now, now),
        behind=behind_pace(session, campaign, scope, today, best) if leader else (),
        keywords=keywords([p.text for p in problems if p.created_at >= week_start])
        if leader and kind != "halfmonth"
        else (),
        weekly=weekly_figures(session, campaign.id, scope, problems, week_start, now)
        if kind == "weekly"
        else None,
        halfmonth=halfmonth_summary(problems),
    )
    return figures, texts


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
    best = best_outcomes(session, campaign.id)
    sent = 0
    notes: list[str] = []
    for unit_id, leaders in leaders_by_unit(session).items():
        d, _ = _figures(session, campaign, tree, unit_id, kind, title, now, config, best, True)
        text = prompts.digest_markdown(d)
        if kind == "weekly":
            text += scores_section(session, campaign, tree, unit_id, now, config)
        sent += send_personal(session, spreader, leaders, markdown_payload(text), now)
        if kind == "weekly":
            png = charts.weekly_chart(f"{d.unit} {title}", d.coverage, d.halfmonth)
            image = image_payload(png, f"weekly-{unit_id}.png")
            sent += send_personal(session, spreader, leaders, image, now)
    allow = [u.name for u in tree.units.values()] + [campaign.name, title]
    for group in config.groups:
        unit = tree.by_name(group.unit)
        if unit is None:
            continue
        d, texts = _figures(session, campaign, tree, unit.id, kind, title, now, config, best, False)
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
    if not claim(session, key, job, now, force):
        return JobResult(job, skipped=(key,))
    sent, notes = _send(session, now, config, kind)
    finish(session, key, now, "; ".join([f"{sent} message(s)", *notes]))
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
