"""Names by id, loaded once per export (units, cadres, targets)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Cadre, Target, Unit


def unit_names(session: Session) -> dict[int, str]:
    return {uid: name for uid, name in session.execute(select(Unit.id, Unit.name))}


def cadre_names(session: Session) -> dict[int, str]:
    return {cid: name for cid, name in session.execute(select(Cadre.id, Cadre.name))}


# Ids bound per query: a county's problems name ~75 000 households, more than the
# 65 535 parameters PostgreSQL's protocol allows in one statement.
ID_CHUNK = 5000


def head_names(session: Session, ids: Collection[int]) -> dict[int, str]:
    """The head of household's name of each target in ``ids`` (``ID_CHUNK`` a query)."""
    wanted = sorted(ids)
    found: dict[int, str] = {}
    for start in range(0, len(wanted), ID_CHUNK):
        chunk = wanted[start : start + ID_CHUNK]
        query = select(Target.id, Target.head_name).where(Target.id.in_(chunk))
        found.update((tid, name) for tid, name in session.execute(query))
    return found
