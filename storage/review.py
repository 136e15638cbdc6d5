"""The weekly 讲评 draws (``review_draws``): stored revisions and who may be drawn.

The draw itself (seed, pool, result) is :mod:`scheduler.review`; this module only reads
and writes its rows and never commits.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Cadre, ReviewDraw


class DrawTaken(Exception):
    """Another process stored the same (unit, week, revision) a moment ago."""


def latest_draw(session: Session, unit_id: int, week: str) -> ReviewDraw | None:
    """The highest revision of ``week``'s draw in ``unit_id``, else None."""
    return session.scalar(
        select(ReviewDraw)
        .where(ReviewDraw.unit_id == unit_id, ReviewDraw.week == week)
        .order_by(ReviewDraw.revision.desc())
        .limit(1)
    )


def all_revisions(session: Session, unit_id: int, week: str) -> list[ReviewDraw]:
    """Every draw of ``week`` in ``unit_id``, oldest revision first."""
    return list(
        session.scalars(
            select(ReviewDraw)
            .where(ReviewDraw.unit_id == unit_id, ReviewDraw.week == week)
            .order_by(ReviewDraw.revision)
        )
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


def visitors_present(session: Session, unit_ids: Collection[int]) -> set[str]:
    """Userids of the active 走访干部 (role ``visitor``) of ``unit_ids`` not on leave."""
    return set(
        session.scalars(
            select(Cadre.userid).where(
                Cadre.unit_id.in_(list(unit_ids)),
                Cadre.role == "visitor",
                Cadre.active,
                Cadre.on_leave.is_(False),
            )
        )
    )


def store_draw(session: Session, draw: ReviewDraw) -> None:
    """Insert ``draw`` inside a savepoint; raises :class:`DrawTaken` when its revision
    of that unit and week is already stored (the savepoint is rolled back, the rest of
    the unit of work stays usable)."""
    try:
        with session.begin_nested():
            session.add(draw)
            session.flush()
    except IntegrityError as exc:
        raise DrawTaken(f"draw {draw.unit_id}/{draw.week}/{draw.revision} exists") from exc
