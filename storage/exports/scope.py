"""Scopes for exports: who is asking (``--as``) and which unit (``--unit``).

The rule is the chat's rule, reused: problems go through
:func:`storage.problems.visible_query`; targets a visiting cadre sees are those
assigned to them; a leader's (or admin's) are their unit's, by place or by
organisation (:func:`storage.facts.viewer_scope`). ``--unit`` is a fact-layer scope
(:func:`storage.facts.scope_for_unit`): a 线办 gets its cadres' work, a 网格 its
targets. Every table filters through the helpers here.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from storage.exports.base import Scope
from storage.facts import (
    EVERYTHING,
    NOTHING,
    FactScope,
    cadre_scope,
    scope_for_unit,
    unit_and_grid,
    viewer_scope,
)
from storage.models import Assignment, Cadre, Problem, Target, Unit
from storage.problems import LEADER_ROLES, visible_query
from storage.units import subtree_ids

# Any SELECT, whatever its columns (Select is generic over a variadic tuple).
Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])


class ScopeError(ValueError):
    """A bad ``--unit`` or ``--as``; the message is one clear Chinese line."""


def resolve_scope(
    session: Session, campaign_id: int, unit_name: str | None, userid: str | None
) -> Scope:
    """The scope for ``--unit UNIT`` and ``--as USERID`` (either may be None)."""
    unit_ids: frozenset[int] | None = None
    unit_facts: FactScope | None = None
    named: int | None = None
    label = ""
    if unit_name:
        found = unit_and_grid(session, unit_name)
        if found is None:
            raise ScopeError(f"找不到单位“{unit_name}”")
        unit, grid = found
        unit_ids = frozenset(subtree_ids(session, unit.id))
        unit_facts = scope_for_unit(session, unit, grid=grid)
        named, label = unit.id, unit.name + (grid or "")
    viewer = None
    own: frozenset[int] | None = None
    mine: frozenset[int] = frozenset()
    if userid:
        viewer = session.scalar(select(Cadre).where(Cadre.userid == userid))
        if viewer is None:
            raise ScopeError(f"找不到账号“{userid}”")
        mine = frozenset(subtree_ids(session, viewer.unit_id))
        if viewer.role in LEADER_ROLES:
            unit_ids = mine if unit_ids is None else unit_ids & mine
        else:
            own = frozenset(
                session.scalars(
                    select(Assignment.target_id).where(
                        Assignment.campaign_id == campaign_id, Assignment.cadre_id == viewer.id
                    )
                )
            )
        if not label:
            label = session.get(Unit, viewer.unit_id).name  # type: ignore[union-attr]
    counting = unit_facts or EVERYTHING
    if viewer is not None and viewer.role not in LEADER_ROLES:
        counting = cadre_scope(viewer)
    elif viewer is not None and unit_facts is None:
        counting = viewer_scope(session, viewer)
    elif viewer is not None and named not in mine:
        counting = NOTHING  # a unit outside the leader's own: nothing of it
    return Scope(
        unit_ids=unit_ids,
        viewer=viewer,
        viewer_targets=own,
        unit_label=label,
        facts=counting,
        unit_facts=unit_facts,
    )


def scoped_targets(query: Q, scope: Scope) -> Q:
    """Narrow a query that involves ``Target`` to the targets ``scope`` may see."""
    if scope.unit_ids is not None:
        query = query.where(Target.unit_id.in_(sorted(scope.unit_ids)))
    if scope.viewer_targets is not None:
        query = query.where(Target.id.in_(sorted(scope.viewer_targets)))
    return query


def scoped_problems(session: Session, scope: Scope) -> Select[Any]:
    """SELECT of the problems in ``scope``: with a viewer, exactly the chat's rule
    (:func:`storage.problems.visible_query`), narrowed by ``--unit`` when given;
    without one, the fact layer's scope of ``--unit`` (by place or organisation)."""
    if scope.viewer is None:
        query = select(Problem).join(Target, Target.id == Problem.target_id)
        return query.where(scope.facts.problem_condition(0)).order_by(Problem.id)
    query = visible_query(session, scope.viewer)
    if scope.unit_facts is not None:
        query = query.join(Target, Target.id == Problem.target_id).where(
            scope.unit_facts.problem_condition(0)
        )
    return query.order_by(Problem.id)
