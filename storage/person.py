"""A household's request about its personal data (个人信息保护法): export and erase.

The household is named by its roster 编号 (``targets.code``).

- :func:`collect` gathers everything held about it: the roster row, its cadres,
  visits with their answers and photos (metadata), problems with their history,
  and outbox messages and stored replies that mention it.
- :func:`erase` removes it: the roster row keeps only what counts need (unit,
  grid, kind, key flag), answers and locations of its visits go, photos are
  deleted, its problems' texts and notes go, and every free-text column
  (storage.scrub.FREE_TEXT) is swept for its name, phone, address and the phone
  and ID numbers found in its records. Outcomes, dates and problem categories
  stay, so the campaign's figures keep counting the visit.

Repositories never commit; the caller records the audit entry (storage.audit) in
the same unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage import scrub
from storage.models import (
    Assignment,
    Cadre,
    InboundMessage,
    OutboxMessage,
    Problem,
    ProblemEvent,
    Target,
    Unit,
    Visit,
    VisitMedia,
)

MIN_TRACE = 2  # a one-character "name" would wipe half the database


@dataclass
class Held:
    """Everything held about one household, JSON-ready (``as_json``)."""

    roster: dict[str, Any]
    cadres: list[dict[str, Any]] = field(default_factory=list)
    visits: list[dict[str, Any]] = field(default_factory=list)
    photos: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "roster": self.roster,
            "cadres": self.cadres,
            "visits": self.visits,
            "photos": self.photos,
            "problems": self.problems,
            "events": self.events,
            "outbox": self.outbox,
            "replies": self.replies,
        }

    def sections(self) -> dict[str, list[dict[str, Any]]]:
        """One list of flat records per kind (an xlsx sheet each)."""
        return {
            "roster": [self.roster],
            **{k: v for k, v in self.as_json().items() if k != "roster"},
        }


@dataclass(frozen=True)
class Erased:
    target_id: int
    visits: int
    photos: int
    problems: int
    swept: int  # free-text cells elsewhere that quoted the household


def find(session: Session, code: str) -> Target | None:
    """The target with roster 编号 ``code`` (exact match), or None."""
    return session.scalar(select(Target).where(Target.code == code.strip()))


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _row(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        c.key: _iso(getattr(obj, c.key)) for c in obj.__mapper__.column_attrs if c.key not in skip
    }


def traces(session: Session, target: Target) -> list[str]:
    """The strings that identify ``target``: name, phone, address, and the phone and
    ID numbers in its visits' answers and its problems' texts."""
    answers = session.scalars(select(Visit.answers).where(Visit.target_id == target.id)).all()
    texts = session.scalars(select(Problem.text).where(Problem.target_id == target.id)).all()
    found = {target.head_name, target.phone, target.address}
    found |= scrub.numbers_in([*answers, *texts])
    found |= {a["phone"] for a in answers if isinstance(a.get("phone"), str)}
    return sorted((t.strip() for t in found if t and len(t.strip()) >= MIN_TRACE), key=len)


def _mentions(value: Any, marks: list[str]) -> bool:
    return any(mark in text for text in scrub.strings(value) for mark in marks)


def collect(session: Session, target: Target) -> Held:
    """Everything held about ``target`` (see the module docstring)."""
    unit = session.get(Unit, target.unit_id)
    roster = _row(target, skip=("unit_id", "registered_by_id"))
    roster["unit"] = unit.name if unit else ""
    held = Held(roster=roster)
    for cadre, campaign_id in session.execute(
        select(Cadre, Assignment.campaign_id)
        .join(Assignment, Assignment.cadre_id == Cadre.id)
        .where(Assignment.target_id == target.id)
    ):
        held.cadres.append({"campaign_id": campaign_id, "userid": cadre.userid, "name": cadre.name})
    visits = session.scalars(select(Visit).where(Visit.target_id == target.id).order_by(Visit.id))
    visit_ids = []
    for visit in visits:
        visit_ids.append(visit.id)
        held.visits.append(_row(visit))
    if visit_ids:
        for media in session.scalars(
            select(VisitMedia).where(VisitMedia.visit_id.in_(visit_ids)).order_by(VisitMedia.id)
        ):
            photo = _row(media, skip=("content",))
            photo["bytes"] = len(media.content or b"")
            held.photos.append(photo)
    problems = session.scalars(
        select(Problem).where(Problem.target_id == target.id).order_by(Problem.id)
    ).all()
    held.problems = [_row(p) for p in problems]
    if problems:
        held.events = [
            _row(e)
            for e in session.scalars(
                select(ProblemEvent)
                .where(ProblemEvent.problem_id.in_([p.id for p in problems]))
                .order_by(ProblemEvent.id)
            )
        ]
    marks = traces(session, target)
    for out in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)):
        if _mentions(out.payload, marks):
            held.outbox.append(_row(out))
    for reply in session.scalars(select(InboundMessage).order_by(InboundMessage.id)):
        if _mentions(reply.reply or "", marks):
            held.replies.append(_row(reply, skip=("dedupe_key",)))
    return held


def erase(session: Session, target: Target) -> Erased:
    """Remove every trace of ``target`` (see the module docstring); flushes, never commits."""
    found = traces(session, target)
    visit_ids = list(session.scalars(select(Visit.id).where(Visit.target_id == target.id)))
    photos = 0
    if visit_ids:
        photos = session.execute(
            delete(VisitMedia).where(VisitMedia.visit_id.in_(visit_ids))
        ).rowcount  # type: ignore[attr-defined]
        session.execute(
            update(Visit)
            .where(Visit.id.in_(visit_ids))
            .values(answers={}, latitude=None, longitude=None)
            .execution_options(synchronize_session=False)
        )
    problem_ids = list(session.scalars(select(Problem.id).where(Problem.target_id == target.id)))
    if problem_ids:
        session.execute(
            update(Problem)
            .where(Problem.id.in_(problem_ids))
            .values(text=scrub.REDACTED, closing_note="", extension_reason="")
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(ProblemEvent)
            .where(ProblemEvent.problem_id.in_(problem_ids))
            .values(note="")
            .execution_options(synchronize_session=False)
        )
    target.code = None
    target.head_name = scrub.REDACTED
    target.address = ""
    target.phone = ""
    target.member_count = None
    target.categories = []
    session.flush()
    swept = scrub.sweep(session, found)
    session.expire_all()
    return Erased(target.id, len(visit_ids), photos or 0, len(problem_ids), swept)
