"""The few reads the /m/ pages need beyond the fact layer and the ledger's queries.

Who may open a household page (the chat's rule: a visiting cadre their assigned
households; a leader or administrator those of their unit's subtree, by place or by
an assigned cadre of the subtree), its visits, and cadre names by id. Read-only.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from storage.models import Assignment, Cadre, Problem, Target, Visit
from storage.problems import LEADER_ROLES, visible_query
from storage.units import subtree_ids


def visible_target(
    session: Session, viewer: Cadre, campaign_id: int, target_id: int
) -> Target | None:
    """The target if ``viewer`` may open it, else None (the same for a missing one)."""
    assigned = select(Assignment.id).where(
        Assignment.campaign_id == campaign_id, Assignment.target_id == Target.id
    )
    if viewer.role in LEADER_ROLES:
        units = sorted(subtree_ids(session, viewer.unit_id))
        in_scope = or_(
            Target.unit_id.in_(units),
            exists(
                assigned.join(Cadre, Cadre.id == Assignment.cadre_id).where(
                    Cadre.unit_id.in_(units)
                )
            ),
        )
    else:
        in_scope = exists(assigned.where(Assignment.cadre_id == viewer.id))
    found: Target | None = session.scalar(select(Target).where(Target.id == target_id, in_scope))
    return found


@dataclass(frozen=True)
class VisitLine:
    """One visit of a household, for its page."""

    submitted_at: datetime
    outcome: str
    cadre: str


def target_visits(session: Session, campaign_id: int, target_id: int) -> list[VisitLine]:
    """The household's visits in the campaign, newest first."""
    rows = session.execute(
        select(Visit.submitted_at, Visit.outcome, Cadre.name)
        .join(Cadre, Cadre.id == Visit.cadre_id)
        .where(Visit.campaign_id == campaign_id, Visit.target_id == target_id)
        .order_by(Visit.submitted_at.desc(), Visit.id.desc())
    )
    return [VisitLine(at, outcome, name) for at, outcome, name in rows]


def target_problems(session: Session, viewer: Cadre, target_id: int) -> list[Problem]:
    """The household's problems that ``viewer`` may see (the ledger's rule), in order."""
    query = visible_query(session, viewer).where(Problem.target_id == target_id)
    return list(session.scalars(query.order_by(Problem.id)))


def cadre_names(session: Session, cadre_ids: Collection[int]) -> dict[int, str]:
    """Names of the cadres ``cadre_ids``."""
    if not cadre_ids:
        return {}
    rows = session.execute(select(Cadre.id, Cadre.name).where(Cadre.id.in_(sorted(cadre_ids))))
    return {cid: name for cid, name in rows}
