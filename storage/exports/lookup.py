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


def targets_by_id(session: Session, ids: Collection[int]) -> dict[int, Target]:
    if not ids:
        return {}
    return {t.id: t for t in session.scalars(select(Target).where(Target.id.in_(sorted(ids))))}
