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
from scheduler.sending import Spreader, image_payload, send_group, send_personal
from scheduler.stats import (
    CadreProgress,
    UnitTree,
    active_campaigns,
    best_outcomes,
    cadre_progress,
    coverage,
    halfmonth_summary,
    problem_counts,
    problems_in_scope,
    visits_between,
    weekly_figures,
)
from storage.models import Cadre, Campaign
from storage.outbox import markdown_payload

KEYWORDS = 10


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
    return list(jieba.analyse.extract_tags("\n".join(texts), topK=top))


def _send(
    session: Session,
    now: datetime,
    config: Config,
    kind: str,
    since: datetime,
    until: datetime,
    title: str,
) -> int:
    """Build and queue one digest round; returns the outbox rows queued."""
    campaigns = active_campaigns(session)
    if not campaigns:
        return 0
    campaign = campaigns[0]
    tree = UnitTree.load(session)
    spreader = Spreader(session, now)
    today = local_today(now, config)
    week_start = local_day_start(today - timedelta(days=today.weekday()), config)
    sent = 0
    best = best_outcomes(session, campaign.id)
    for unit_id, leaders in leaders_by_unit(session).items():
        scope = tree.subtree(unit_id)
        problems = problems_in_scope(session, scope)
        cov = coverage(session, campaign.id, tree, scope, best)
        lines = [
            f"## {title}",
            f"**{tree.name(unit_id)}**　{prompts.stamp(local_now(now, config))}",
            "",
        ]
        if kind == "halfmonth":
            lines += [
                "**群众入户调查问题建议汇总（附件5）**",
                "| 项目 | 已解决 | 待解决 | 小计 |",
                "|---|---|---|---|",
            ]
            rows = halfmonth_summary(problems)
            lines += [f"| {label} | {s} | {p} | {s + p} |" for label, s, p in rows]
            lines.append(
                f"| 合计 | {sum(r[1] for r in rows)} | {sum(r[2] for r in rows)} | {sum(r[1] + r[2] for r in rows)} |"
            )
        else:
            lines += ["**走访覆盖**", *prompts.coverage_table(cov), ""]
            lines.append(
                f"今日走访 {visits_between(session, campaign.id, scope, local_day_start(today, config), now)} 户次，"
                f"本周 {visits_between(session, campaign.id, scope, week_start, now)} 户次"
            )
            label = "今日" if kind == "daily" else "本周"
            lines += ["", f"**问题（{label}新增 / 解决，当前逾期）**"]
            lines += prompts.problem_lines(problem_counts(problems, since, until, now))
            lines += [
                "",
                "**进度落后的干部**",
                *prompts.behind_lines(behind_pace(session, campaign, scope, today, best)),
            ]
            week_texts = [p.text for p in problems if week_start <= p.created_at < now]
            words = keywords(week_texts)
            lines += ["", "**本周问题关键词**", "、".join(words) if words else "（无）"]
            if kind == "weekly":
                figures = weekly_figures(session, campaign.id, scope, problems, since, until)
                lines += ["", "**本周汇总**", *[f"- {x}" for x in prompts.weekly_lines(figures)]]
        sent += send_personal(session, spreader, leaders, markdown_payload("\n".join(lines)), now)
        if kind == "weekly":
            png = charts.weekly_chart(
                f"{tree.name(unit_id)} {title}", cov, halfmonth_summary(problems)
            )
            sent += send_personal(
                session, spreader, leaders, image_payload(png, f"weekly-{unit_id}.png"), now
            )
    sent += _send_groups(session, spreader, tree, campaign, now, config, kind, since, until, title)
    return sent


def _send_groups(
    session: Session,
    spreader: Spreader,
    tree: UnitTree,
    campaign: Campaign,
    now: datetime,
    config: Config,
    kind: str,
    since: datetime,
    until: datetime,
    title: str,
) -> int:
    """The counts-only version for each configured group chat."""
    sent = 0
    best = best_outcomes(session, campaign.id)
    allow = [u.name for u in tree.units.values()] + [campaign.name, title]
    for group in config.groups:
        unit = tree.by_name(group.unit)
        if unit is None:
            continue
        scope = tree.subtree(unit.id)
        problems = problems_in_scope(session, scope)
        lines = [f"【{title}】{unit.name}"]
        if kind == "halfmonth":
            rows = halfmonth_summary(problems)
            lines.append(
                f"问题已解决 {sum(r[1] for r in rows)} 个，待解决 {sum(r[2] for r in rows)} 个。"
            )
        else:
            lines += prompts.coverage_lines(coverage(session, campaign.id, tree, scope, best))
            counts = problem_counts(problems, since, until, now)
            lines.append(
                f"问题：新增 {sum(c.raised for c in counts)} 个，解决 {sum(c.solved for c in counts)} 个，"
                f"逾期 {sum(c.overdue for c in counts)} 个。"
            )
            if kind == "weekly":
                figures = weekly_figures(session, campaign.id, scope, problems, since, until)
                lines += prompts.weekly_lines(figures)
        send_group(
            session,
            spreader,
            group,
            "\n".join(lines),
            now,
            problem_texts=[p.text for p in problems],
            allow=allow,
        )
        sent += 1
    return sent


def daily(session: Session, now: datetime, config: Config, *, force: bool = False) -> JobResult:
    """Today's digest (``digest:daily:<date>``), covering local midnight until now."""
    today = local_today(now, config)
    key = f"digest:daily:{today.isoformat()}"
    if not claim(session, key, "digest_daily", now, force):
        return JobResult("digest_daily", skipped=(key,))
    sent = _send(
        session,
        now,
        config,
        "daily",
        local_day_start(today, config),
        now,
        f"{config.campaign.name}每日简报 {prompts.md(today)}",
    )
    finish(session, key, now, f"{sent} message(s)")
    return JobResult("digest_daily", (key,), (), sent)


def weekly(session: Session, now: datetime, config: Config, *, force: bool = False) -> JobResult:
    """This ISO week's digest (``digest:weekly:<week>``) with seed 003's figures and a chart."""
    today = local_today(now, config)
    week = iso_week(today)
    key = f"digest:weekly:{week}"
    if not claim(session, key, "digest_weekly", now, force):
        return JobResult("digest_weekly", skipped=(key,))
    monday = local_day_start(today - timedelta(days=today.weekday()), config)
    sent = _send(
        session, now, config, "weekly", monday, now, f"{config.campaign.name}每周简报 {week}"
    )
    finish(session, key, now, f"{sent} message(s)")
    return JobResult("digest_weekly", (key,), (), sent)


def halfmonth(session: Session, now: datetime, config: Config, *, force: bool = False) -> JobResult:
    """The half-monthly 附件5 summary (``digest:halfmonth:<date>``), on the 1st and 16th."""
    today = local_today(now, config)
    key = f"digest:halfmonth:{today.isoformat()}"
    if not claim(session, key, "digest_halfmonth", now, force):
        return JobResult("digest_halfmonth", skipped=(key,))
    sent = _send(
        session,
        now,
        config,
        "halfmonth",
        local_day_start(today, config),
        now,
        f"{config.campaign.name}半月问题汇总 {prompts.md(today)}",
    )
    finish(session, key, now, f"{sent} message(s)")
    return JobResult("digest_halfmonth", (key,), (), sent)
