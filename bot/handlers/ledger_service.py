"""Ledger actions: the workflow's decisions stored, history kept, the right people told.

The glue between the pure rules (:mod:`bot.ledger.workflow`, :mod:`bot.ledger.clocks`)
and storage (:mod:`storage.problems`); the chat handler and any other entry point
call :func:`act`. Runs inside the caller's unit of work and never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from bot.config import LedgerConfig
from bot.handlers import ledger_prompts as P
from bot.ledger.clocks import ProblemTimes, clock_of
from bot.ledger.workflow import (
    Actor,
    Decision,
    LedgerError,
    ProblemSnapshot,
    Request,
    action_label,
    decide,
)
from storage import outbox
from storage.db import Session
from storage.masking import mask_numbers
from storage.models import Cadre, Problem
from storage.problems import (
    ChangeInfo,
    ProblemConflict,
    apply_transition,
    finder_of,
    get_visible,
    latest_change,
    shown_whole,
    unit_members,
)
from storage.safe_text import one_line
from storage.units import subtree_ids, unit_name
from storage.visit_queries import target_by_id
from storage.vocab import (
    CATEGORIES_CHAIHUDIAN,
    CATEGORIES_CHANGZHOU,
    PROBLEM_STATUS,
    is_sensitive_problem,
)

IN_PERSON_KINDS = ("矛盾纠纷", "信访诉求", "安全隐患")  # seed 002: disputes and complex cases


@dataclass(frozen=True)
class ActionResult:
    problem: Problem
    decision: Decision


def local(dt: datetime | None, zone: tzinfo) -> str:
    """A stored UTC time as month/day hour:minute in the campaign's ``zone``."""
    if dt is None:
        return ""
    d = dt.astimezone(zone)
    return f"{d.month}月{d.day}日{d.hour:02d}:{d.minute:02d}"


def local_date(dt: datetime | None, zone: tzinfo) -> str:
    if dt is None:
        return ""
    d = dt.astimezone(zone)
    return f"{d.month}月{d.day}日"


def actor_for(session: Session, cadre: Cadre) -> Actor:
    return Actor(
        cadre_id=cadre.id,
        role=cadre.role,
        scope=frozenset(subtree_ids(session, cadre.unit_id)),
        unit_id=cadre.unit_id,
    )


def snapshot(p: Problem) -> ProblemSnapshot:
    return ProblemSnapshot(
        id=p.id,
        status=p.status,
        unit_id=p.unit_id,
        found_by_id=p.found_by_id,
        responsibility=p.responsibility,
        assignee_unit_id=p.assignee_unit_id,
        assigned_by_id=p.assigned_by_id,
        deadline=p.deadline,
        extended=p.extended,
    )


def clock_label(p: Problem, now: datetime, cfg: LedgerConfig, zone: tzinfo) -> str:
    clock = clock_of(ProblemTimes(p.status, p.created_at, p.deadline, p.closed_at), now, cfg)
    return clock.label(zone) if clock else "已回访，结束"


def conflict_message(info: ChangeInfo, zone: tzinfo) -> str:
    return P.CONFLICT.format(
        id=info.problem_id,
        actor=info.actor_name or "他人",
        at=local(info.at, zone),
        action=action_label(info.action),
        status=PROBLEM_STATUS.get(info.status, info.status),
    )


def load(session: Session, cadre: Cadre, problem_id: int) -> Problem:
    """The problem if ``cadre`` may see it; else LedgerError (same text for both cases)."""
    problem = get_visible(session, cadre, problem_id)
    if problem is None:
        raise LedgerError(P.NOT_FOUND.format(id=problem_id))
    return problem


def act(
    session: Session,
    cadre: Cadre,
    problem_id: int,
    req: Request,
    now: datetime,
    cfg: LedgerConfig,
    zone: tzinfo,
) -> ActionResult:
    """Load the problem in ``cadre``'s scope and apply ``req``; see :func:`act_on`."""
    return act_on(session, cadre, load(session, cadre, problem_id), req, now, cfg, zone)


def act_on(
    session: Session,
    cadre: Cadre,
    problem: Problem,
    req: Request,
    now: datetime,
    cfg: LedgerConfig,
    zone: tzinfo,
) -> ActionResult:
    """Decide, store (version-checked) and notify. Raises LedgerError with a Chinese message.

    A refused request changes nothing. If another leader changed the problem since it
    was loaded, the message names who did what and when.
    """
    try:
        decision = decide(snapshot(problem), actor_for(session, cadre), req, now, cfg)
    except LedgerError as exc:
        info = latest_change(session, problem.id)
        if info.action and info.action != "register":
            extra = P.LATEST.format(
                actor=info.actor_name,
                at=local(info.at, zone),
                action=action_label(info.action),
            )
            raise LedgerError(exc.message + extra) from None
        raise
    try:
        event = apply_transition(
            session,
            problem,
            action=decision.action,
            to_status=decision.to_status,
            changes=decision.changes,
            note=decision.note,
            actor_id=cadre.id,
            now=now,
        )
    except ProblemConflict as exc:
        raise LedgerError(conflict_message(exc.latest, zone)) from None
    _notify(session, cadre, problem, decision, now, zone, dedupe=f"ledger:{problem.id}:{event.id}")
    return ActionResult(problem, decision)


def _notify(
    session: Session,
    actor: Cadre,
    p: Problem,
    d: Decision,
    now: datetime,
    zone: tzinfo,
    dedupe: str,
) -> None:
    target = target_by_id(session, p.target_id)
    head = one_line(target.head_name) if target else ""
    if d.action == "assign" or (d.action == "follow_up" and d.to_status == "in_progress"):
        assert p.assignee_unit_id is not None
        # Only the assignee unit's own members may open a problem assigned to it
        # (storage.problems.visible_query); its sub-units' cadres may not, so the
        # notice (household and problem text) goes to no one below it. A sensitive
        # problem (e.g. a cult sign) goes to the unit's leaders only: they act on it.
        members = unit_members(session, {p.assignee_unit_id})
        if is_sensitive_problem(p.text):
            members = [c for c in members if c.role == "leader"]
        template = P.NOTICE_ASSIGNED if d.action == "assign" else P.NOTICE_REOPENED
        # Phone and ID numbers whole only for those who may read them (the
        # household's cadre, the leaders over it); the other members read them masked.
        others = [c for c in members if c.id != actor.id]
        whole = {c.id for c in others if shown_whole(session, c, [p])}
        for suffix, people, shown in (
            ("", [c.userid for c in others if c.id in whole], p.text),
            (":masked", [c.userid for c in others if c.id not in whole], mask_numbers(p.text)),
        ):
            text = template.format(
                id=p.id,
                unit=unit_name(session, p.assignee_unit_id),
                deadline=local_date(p.deadline, zone),
                target=head,
                text=one_line(shown),
            )
            if people:
                outbox.enqueue_to_users(
                    session, people, outbox.text_payload(text), now, dedupe_key=dedupe + suffix
                )
    elif d.to_status in ("solved", "explained") and d.action in ("solve", "explain"):
        finder = finder_of(session, p)
        if finder is None or not finder.active:
            return
        how = P.FOLLOW_UP_IN_PERSON if p.kind in IN_PERSON_KINDS else P.FOLLOW_UP_BY_PHONE
        text = P.NOTICE_FOLLOW_UP.format(
            id=p.id,
            target=head,
            result=PROBLEM_STATUS[d.to_status],
            note=one_line(d.note),
            how=how.format(kind=p.kind),
        )
        outbox.enqueue(
            session, "message", finder.userid, outbox.text_payload(text), now, dedupe_key=dedupe
        )


def reclassify(
    session: Session,
    cadre: Cadre,
    problem_id: int,
    scheme: str,
    index: int,
    now: datetime,
    zone: tzinfo,
) -> Problem:
    """Correct a classification guess: category number ``index`` (1-based) of ``scheme``.

    Anyone who may see the problem may correct it; recorded as a ``reclassify`` event
    and version-checked like every other change. Clears ``needs_review``.
    """
    options = CATEGORY_OPTIONS[scheme]
    if not 1 <= index <= len(options):
        raise LedgerError(P.BAD_CATEGORY_CHOICE.format(n=len(options), id=problem_id))
    problem = load(session, cadre, problem_id)
    column = "category" if scheme == "changzhou" else "category_alt"
    before, after = getattr(problem, column), options[index - 1]
    try:
        apply_transition(
            session,
            problem,
            action="reclassify",
            to_status=problem.status,
            changes={column: after, "needs_review": False},
            note=f"{before} → {after}",
            actor_id=cadre.id,
            now=now,
        )
    except ProblemConflict as exc:
        raise LedgerError(conflict_message(exc.latest, zone)) from None
    return problem


CATEGORY_OPTIONS = {"changzhou": CATEGORIES_CHANGZHOU, "chaihudian": CATEGORIES_CHAIHUDIAN}


def reclassify_card(problem: Problem, scheme: str) -> dict[str, object]:
    """A template card showing the guess, one button per other category (one tap fixes it).

    Button keys are ``ledger:reclass:<problem id>:<1-based index>``; the task id is
    unique per problem version, as WeCom requires.
    """
    options = CATEGORY_OPTIONS[scheme]
    current = problem.category if scheme == "changzhou" else problem.category_alt
    buttons = [
        {"text": name, "key": f"ledger:reclass:{problem.id}:{i}", "style": 2}
        for i, name in enumerate(options, start=1)
        if name != current
    ][:6]
    card = {
        "card_type": "button_interaction",
        "task_id": f"ledger-reclass-{problem.id}-{problem.version}",
        "main_title": {
            "title": P.CARD_TITLE.format(id=problem.id),
            "desc": P.CARD_DESC.format(category=current, kind=problem.kind),
        },
        "sub_title_text": problem.text[:60],
        "button_list": buttons,
    }
    return {"msgtype": "template_card", "template_card": card}


def offer_corrections(
    session: Session, finder: Cadre, problems: list[Problem], scheme: str, now: datetime
) -> int:
    """Send the finder one classification card per new problem (the one-tap correction).

    For the visit dialog to call after saving a visit; returns how many cards were queued.
    Cards go to the finder's private chat only.
    """
    for p in problems:
        outbox.enqueue(
            session,
            "message",
            finder.userid,
            reclassify_card(p, scheme),
            now,
            dedupe_key=f"ledger:card:{p.id}:{p.version}",
        )
    return len(problems)
