"""The weekly random-five 讲评 draw (seed 000: 每周召开一次讲评会，随机抽取5名干部).

Unpredictable before, auditable after: the seed comes from :func:`secrets.token_hex`
at draw time (nothing about the week or the unit goes into it), and the result is a
pure function of (seed, sorted pool, size) — :func:`derive` — so anyone holding the
stored seed and pool can re-derive it. Who is in the pool, and that only the current
week is drawn, is :mod:`scheduler.review_pool`. The draw, its announcement and its
JobRun row share one transaction.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime

from bot.config import Config
from scheduler import prompts
from scheduler.base import JobResult, iso_week, local_now, local_today
from scheduler.review_pool import DrawError, check_week, eligible_pool, named_in
from scheduler.sending import Spreader, groups_for, send_group, send_personal
from storage import cadres, facts
from storage.campaigns import find_active_campaign
from storage.db import Session
from storage.models import AuditLog, ReviewDraw
from storage.outbox import text_payload
from storage.progress import progress_of
from storage.review import DrawTaken, latest_draw, store_draw
from storage.runs import claim_run, finish_run
from storage.units import UnitTree

__all__ = ["DrawError", "eligible_pool", "latest_draw"]  # and the functions below

JOB = "review"
SeedSource = Callable[[], str]


def new_seed() -> str:
    """256 bits from the operating system's secure random source, as 64 hex digits."""
    return secrets.token_hex(32)


def derive(seed: str, pool: Sequence[str], size: int) -> list[str]:
    """The draw: ``size`` userids from the sorted pool, determined by the seed alone."""
    ordered = sorted(pool)
    return random.Random(int(seed, 16)).sample(ordered, min(size, len(ordered)))


def verify(draw: ReviewDraw) -> bool:
    """True when the stored result is what the stored seed and pool give."""
    return derive(draw.seed, draw.pool, draw.size) == list(draw.drawn)


def draw_units(tree: UnitTree, config: Config) -> list[int]:
    """Units that hold a weekly draw: those with a group chat, else each top-level unit."""
    named = [tree.by_name(g.unit) for g in config.groups]
    ids = list(dict.fromkeys(u.id for u in named if u is not None))
    return ids or tree.roots()


def perform(
    session: Session,
    tree: UnitTree,
    unit_id: int,
    week: str,
    now: datetime,
    config: Config,
    seed_source: SeedSource = new_seed,
    drawn_by: str = "scheduler",
    reason: str = "",
    notes: list[str] | None = None,
    absent: Sequence[str] = (),
) -> tuple[ReviewDraw, int]:
    """Draw for ``week`` (next revision), store it and queue its announcements.

    Returns the stored draw and the number of outbox rows queued; a group message the
    privacy guard refused is skipped and noted in ``notes``. ``absent`` userids are
    left out of the pool. Raises :class:`DrawError` unless ``week`` is this week.
    """
    check_week(week, now, config)
    previous = latest_draw(session, unit_id, week)
    revision = 0 if previous is None else previous.revision + 1
    pool = eligible_pool(
        session,
        tree,
        unit_id,
        week,
        config.scheduler.review_exclude_weeks,
        once_per_week=config.scheduler.review_once_per_week,
        absent=absent,
    )
    seed = seed_source()
    size = config.scheduler.review_size
    draw = ReviewDraw(
        unit_id=unit_id,
        week=week,
        revision=revision,
        seed=seed,
        pool=pool,
        drawn=derive(seed, pool, size),
        size=size,
        reason=reason,
        drawn_by=drawn_by,
        created_at=now,
    )
    store_draw(session, draw)
    return draw, announce(session, Spreader(session, now), tree, draw, now, config, notes)


def draw_once(
    session: Session,
    tree: UnitTree,
    unit_id: int,
    week: str,
    now: datetime,
    config: Config,
    seed_source: SeedSource = new_seed,
    drawn_by: str = "scheduler",
    notes: list[str] | None = None,
) -> tuple[ReviewDraw, int | None]:
    """The week's draw: the stored one, else a new one.

    Returns (draw, outbox rows queued), the count None when the draw already existed.
    Refused group messages are noted in ``notes`` (see :func:`perform`).
    """
    existing = latest_draw(session, unit_id, week)
    if existing is not None:
        return existing, None
    try:
        return perform(
            session, tree, unit_id, week, now, config, seed_source, drawn_by, notes=notes
        )
    except DrawTaken:  # another process drew the same week a moment ago
        stored = latest_draw(session, unit_id, week)
        assert stored is not None
        return stored, None


def redraw(
    session: Session,
    tree: UnitTree,
    unit_id: int,
    week: str,
    now: datetime,
    config: Config,
    by_userid: str,
    reason: str,
    seed_source: SeedSource = new_seed,
) -> ReviewDraw:
    """A leader's new draw for a week that has one; logged in the audit log.

    Whoever the reason names ("张三出差", by name or userid) is left out of the new pool.
    """
    leader = cadres.find_by_userid(session, by_userid)
    if leader is None or leader.role not in ("leader", "admin") or not leader.active:
        raise DrawError(prompts.redraw_not_leader(by_userid))
    if unit_id not in tree.subtree(leader.unit_id) and leader.role != "admin":
        raise DrawError(prompts.redraw_wrong_unit(leader.name, tree.name(unit_id)))
    if not reason.strip():
        raise DrawError(prompts.REDRAW_NEEDS_REASON)
    previous = latest_draw(session, unit_id, week)
    if previous is None:
        raise DrawError(prompts.redraw_nothing_to_redo(tree.name(unit_id), week))
    absent = named_in(session, previous.pool, reason)
    draw, _ = perform(
        session, tree, unit_id, week, now, config, seed_source, by_userid, reason, absent=absent
    )
    session.add(
        AuditLog(
            at=now,
            actor=by_userid,
            action="review_redraw",
            detail={
                "unit": tree.name(unit_id),
                "week": week,
                "revision": draw.revision,
                "reason": reason,
                "absent": absent,
                "seed": draw.seed,
                "drawn": list(draw.drawn),
            },
        )
    )
    return draw


def names_of(session: Session, userids: Sequence[str]) -> list[str]:
    """Display names for userids, in the same order (the userid if unknown)."""
    known = cadres.names_by_userid(session, userids)
    return [known.get(u, u) for u in userids]


def announce(
    session: Session,
    spreader: Spreader,
    tree: UnitTree,
    draw: ReviewDraw,
    now: datetime,
    config: Config,
    notes: list[str] | None = None,
) -> int:
    """Queue the group announcement and each drawn cadre's personal note; returns rows.

    A group announcement the privacy guard refuses is skipped (noted in ``notes``).
    """
    unit = tree.name(draw.unit_id)
    names = names_of(session, draw.drawn)
    when = prompts.stamp(local_now(draw.created_at, config))
    text = prompts.draw_announcement(
        unit, draw.week, draw.revision, draw.seed, len(draw.pool), names, when
    )
    count = 0
    for group in groups_for(config, [unit]):
        refused = send_group(
            session,
            spreader,
            group,
            text,
            now,
            mention=draw.drawn,
            allow=[*names, unit, draw.seed, draw.week],
            job=JOB,
        )
        if refused:
            if notes is not None:
                notes.append(refused)
        else:
            count += 1
    campaign = find_active_campaign(session)
    progress = {}
    if campaign is not None:
        progress = progress_of(session, campaign.id, draw.drawn)
    for userid, name in zip(draw.drawn, names, strict=True):
        found, solved, explained = _problem_figures(session, userid, now)
        p = progress.get(userid)
        note = prompts.draw_personal(
            name,
            unit,
            draw.week,
            p.assigned if p else 0,
            p.contacted if p else 0,
            found,
            solved,
            explained,
        )
        count += send_personal(session, spreader, [userid], text_payload(note), now)
    return count


def _problem_figures(session: Session, userid: str, now: datetime) -> tuple[int, int, int]:
    """问题数, 已解决 and 已解释 (as of now) of the problems ``userid`` found (docs/facts.md)."""
    cadre = cadres.find_by_userid(session, userid)
    if cadre is None:
        return 0, 0, 0
    everything = facts.Period()
    states = facts.problem_states(
        session, facts.cadre_scope(cadre), everything, now=now, assign_within_days=None
    )
    f = facts.total(facts.problem_figures(states, everything).values())
    return f.raised, f.solved, f.explained


def describe(session: Session, tree: UnitTree, draw: ReviewDraw, config: Config) -> str:
    """The stored draw as text (what ``minqing review-draw`` prints)."""
    return prompts.draw_text(
        tree.name(draw.unit_id),
        draw.week,
        draw.revision,
        draw.seed,
        [f"{n}({u})" for n, u in zip(names_of(session, draw.pool), draw.pool, strict=True)],
        [f"{n}({u})" for n, u in zip(names_of(session, draw.drawn), draw.drawn, strict=True)],
        prompts.stamp(local_now(draw.created_at, config)),
        draw.reason,
    )


def run(
    session: Session,
    now: datetime,
    config: Config,
    *,
    force: bool = False,
    seed_source: SeedSource = new_seed,
) -> JobResult:
    """The scheduled draw for the current ISO week in every drawing unit."""
    week = iso_week(local_today(now, config))
    tree = UnitTree.load(session)
    claimed, skipped, sent = [], [], 0
    notes: list[str] = []
    for unit_id in draw_units(tree, config):
        key = f"review:{tree.name(unit_id)}:{week}"
        if not claim_run(session, key, JOB, now, force):
            skipped.append(key)
            continue
        claimed.append(key)
        before = len(notes)
        draw, queued = draw_once(
            session, tree, unit_id, week, now, config, seed_source, notes=notes
        )
        if queued is None and force:  # an explicit re-run repeats the announcement
            queued = announce(session, Spreader(session, now), tree, draw, now, config, notes)
        sent += queued or 0
        summary = [f"drawn {draw.drawn} (revision {draw.revision})", *notes[before:]]
        finish_run(session, key, now, "; ".join(summary))
    return JobResult(JOB, tuple(claimed), tuple(skipped), sent, tuple(notes))
