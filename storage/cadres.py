"""Look-ups of cadres (干部) by userid, by role and by name, for the jobs and the CLI."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Cadre, Unit


def find_by_userid(session: Session, userid: str) -> Cadre | None:
    """The cadre with WeCom account ``userid`` (active or not), else None."""
    return session.scalar(select(Cadre).where(Cadre.userid == userid))


def names_by_userid(session: Session, userids: Collection[str]) -> dict[str, str]:
    """userid -> display name for the known ones among ``userids`` (one query)."""
    rows = session.execute(select(Cadre.userid, Cadre.name).where(Cadre.userid.in_(list(userids))))
    return {userid: name for userid, name in rows}


def all_names(session: Session) -> list[str]:
    """Every cadre's name (a group message may name cadres: the privacy guard's allow list)."""
    return list(session.scalars(select(Cadre.name)))


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


def units_with_active_cadres(session: Session) -> list[str]:
    """Names of the units that have at least one active cadre, sorted (check-config)."""
    rows = session.scalars(
        select(Unit.name).join(Cadre, Cadre.unit_id == Unit.id).where(Cadre.active).distinct()
    )
    return sorted(rows)
