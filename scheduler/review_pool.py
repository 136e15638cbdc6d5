"""Who may be drawn for a week's 讲评 (seed 000: 每周随机抽取5名干部), and for which week.

- The week: only the current one (the campaign's time zone). A future week is refused
  (its people would be told now about a meeting not yet planned); a past week has no
  new draw, only the stored one to print or verify.
- The pool: active 走访干部 (role ``visitor``) of the unit's subtree, not on leave,
  not drawn in the previous ``review_exclude_weeks`` weeks in this unit, not already
  drawn this week by another (nested or sibling) unit when
  ``[scheduler] review_once_per_week`` holds (the default), and not named as absent
  in a redraw's reason ("张三出差").
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Config
from scheduler import prompts
from scheduler.base import iso_week, local_today, week_bounds
from scheduler.stats import UnitTree
from storage.models import Cadre, ReviewDraw


class DrawError(Exception):
    """A draw request a person can fix (unknown unit, not a leader…); Chinese message."""


def check_week(week: str, now: datetime, config: Config) -> None:
    """Raise :class:`DrawError` unless ``week`` is the current week at ``now``."""
    this_week = iso_week(local_today(now, config))
    if week == this_week:
        return
    monday, _ = week_bounds(week)
    if monday > week_bounds(this_week)[0]:
        raise DrawError(prompts.draw_future_week(week, this_week))
    raise DrawError(prompts.draw_past_week(week, this_week))


def latest_draw(session: Session, unit_id: int, week: str) -> ReviewDraw | None:
    return session.scalar(
        select(ReviewDraw)
        .where(ReviewDraw.unit_id == unit_id, ReviewDraw.week == week)
        .order_by(ReviewDraw.revision.desc())
        .limit(1)
    )


def drawn_elsewhere(session: Session, unit_id: int, week: str) -> set[str]:
    """Userids drawn for ``week`` by every other unit (each unit's latest revision)."""
    rows = session.execute(
        select(ReviewDraw.unit_id, ReviewDraw.revision, ReviewDraw.drawn).where(
            ReviewDraw.week == week, ReviewDraw.unit_id != unit_id
        )
    ).all()
    latest: dict[int, tuple[int, list[str]]] = {}
    for other, revision, drawn in rows:
        if other not in latest or revision > latest[other][0]:
            latest[other] = (revision, list(drawn))
    return {userid for _, drawn in latest.values() for userid in drawn}


def named_in(session: Session, userids: Collection[str], reason: str) -> list[str]:
    """The userids among ``userids`` whose name or userid ``reason`` mentions, sorted."""
    text = reason.strip()
    if not text or not userids:
        return []
    rows = session.execute(
        select(Cadre.userid, Cadre.name).where(Cadre.userid.in_(list(userids)))
    ).all()
    return sorted(u for u, name in rows if (name and name in text) or u in text)


def eligible_pool(
    session: Session,
    tree: UnitTree,
    unit_id: int,
    week: str,
    exclude_weeks: int,
    *,
    once_per_week: bool = False,
    absent: Collection[str] = (),
) -> list[str]:
    """Sorted userids who may be drawn for ``week`` in ``unit_id`` (see the module doc)."""
    monday, _ = week_bounds(week)
    left_out: set[str] = set(absent)
    for back in range(1, exclude_weeks + 1):
        earlier = latest_draw(session, unit_id, iso_week(monday - timedelta(weeks=back)))
        if earlier is not None:
            left_out.update(earlier.drawn)
    if once_per_week:
        left_out |= drawn_elsewhere(session, unit_id, week)
    userids = session.scalars(
        select(Cadre.userid).where(
            Cadre.unit_id.in_(tree.subtree(unit_id)),
            Cadre.role == "visitor",
            Cadre.active,
            Cadre.on_leave.is_(False),
        )
    )
    return sorted(set(userids) - left_out)
