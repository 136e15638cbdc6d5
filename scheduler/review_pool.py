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

from bot.config import Config
from scheduler import prompts
from scheduler.base import iso_week, local_today, week_bounds
from storage import cadres
from storage.db import Session
from storage.review import drawn_elsewhere, latest_draw, visitors_present
from storage.units import UnitTree


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


def named_in(session: Session, userids: Collection[str], reason: str) -> list[str]:
    """The userids among ``userids`` whose name or userid ``reason`` mentions, sorted."""
    text = reason.strip()
    if not text or not userids:
        return []
    names = cadres.names_by_userid(session, userids)
    return sorted(u for u, name in names.items() if (name and name in text) or u in text)


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
    return sorted(visitors_present(session, tree.subtree(unit_id)) - left_out)
