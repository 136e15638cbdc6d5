"""The visits the paper forms are filled from: the latest at-home visit per target.

A form (003 附件1 per village, 附件3 per household) is the record of one target, so
each target in scope appears once, with its latest 入户走访 in the period; the
cadre who made it is the form's 采集人 / 联系人.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.exports.base import ExportRequest
from storage.exports.lookup import ID_CHUNK, unit_names
from storage.exports.scope import scoped_targets
from storage.models import Cadre, Problem, Target, Visit
from storage.vocab import OUTCOME_VISITED


@dataclass(frozen=True)
class FormVisit:
    """One target's latest at-home visit, with who made it and the problems it raised."""

    visit: Visit
    target: Target
    cadre: Cadre
    cadre_unit: str
    problems: tuple[Problem, ...]

    def answer(self, req: ExportRequest, question: str) -> str:
        """The answer to ``question`` as the questionnaire words it ('' when unanswered)."""
        return req.answer_label(self.visit.template, question, self.visit.answers.get(question))

    def number(self, question: str) -> int | float | None:
        """A numeric answer kept numeric (so a clerk's SUM works); 12.0 -> 12."""
        value = self.visit.answers.get(question)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return int(value) if float(value).is_integer() else value


def latest_visits(session: Session, req: ExportRequest, *conditions: Any) -> list[FormVisit]:
    """Targets in scope with an at-home visit in the period matching ``conditions``;
    one per target (the latest), ordered by village, group and target."""
    query = scoped_targets(
        select(Visit, Target)
        .join(Target, Target.id == Visit.target_id)
        .where(Visit.campaign_id == req.campaign_id, Visit.outcome == OUTCOME_VISITED, *conditions)
        .order_by(Visit.submitted_at, Visit.id),
        req.scope,
    )
    picked: dict[int, tuple[Visit, Target]] = {}
    for visit, target in session.execute(query):
        if req.in_period(visit.submitted_at):
            picked[target.id] = (visit, target)
    units = unit_names(session)
    ordered = sorted(picked.values(), key=lambda vt: (units[vt[1].unit_id], vt[1].grid, vt[1].id))
    return _with_people(session, ordered, units)


def _with_people(
    session: Session, found: Iterable[tuple[Visit, Target]], units: dict[int, str]
) -> list[FormVisit]:
    found = list(found)
    ids = sorted({v.cadre_id for v, _ in found})
    cadres = {c.id: c for c in session.scalars(select(Cadre).where(Cadre.id.in_(ids)))}
    problems: dict[int, list[Problem]] = {}
    visit_ids = sorted(v.id for v, _ in found)
    # a county's visits exceed the 65 535 parameters PostgreSQL takes in one statement
    for start in range(0, len(visit_ids), ID_CHUNK):
        chunk = visit_ids[start : start + ID_CHUNK]
        for p in session.scalars(
            select(Problem).where(Problem.visit_id.in_(chunk)).order_by(Problem.id)
        ):
            problems.setdefault(p.visit_id or 0, []).append(p)
    return [
        FormVisit(
            v,
            t,
            cadres[v.cadre_id],
            units.get(cadres[v.cadre_id].unit_id, ""),
            tuple(problems.get(v.id, ())),
        )
        for v, t in found
    ]
