"""Escalation: overdue problems to the responsible unit's leaders; missing 回访 to cadres.

Run daily (default 09:30 local).
- Overdue: a problem whose deadline has passed and whose status is not closed goes,
  once a day (``escalation:overdue:<unit id>:<date>``), to the leaders of its
  assignee unit (the problem's own unit when unassigned), walking up the unit tree
  to the nearest unit that has a leader.
- Never assigned: a problem still 登记 ``ledger.assign_within_days`` (default 2) days
  after it was registered is past its 交办 deadline; it goes, once a day
  (``escalation:unassigned:<unit id>:<date>``), to the leaders of its own unit (the
  household's village), walking up the same way: they are the ones who must 交办 it.
- Follow-up: a problem solved ``ledger.followup_within_days`` (default 7) days ago
  and not yet followed up reminds the cadre who found it, once per problem
  (``escalation:followup:<problem id>``). A cadre who is inactive is skipped without
  consuming that key, so the reminder comes once they are reactivated.
These are private messages, so problem texts may appear in them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from bot.config import Config
from scheduler import prompts
from scheduler.base import JobResult, local_today
from scheduler.sending import Spreader, send_personal
from storage.cadres import leaders_by_unit
from storage.db import Session
from storage.models import Cadre, Problem
from storage.outbox import text_payload
from storage.overdue import followup_due, never_assigned, past_deadline
from storage.runs import claim_run, finish_run
from storage.units import UnitTree

JOB = "escalation"


def _leader_unit(tree: UnitTree, leaders: dict[int, list[str]], unit_id: int) -> int | None:
    current: int | None = unit_id
    while current is not None:
        if leaders.get(current):
            return current
        current = tree.units[current].parent_id
    return None


def run(session: Session, now: datetime, config: Config, *, force: bool = False) -> JobResult:
    """Queue today's overdue escalations and follow-up reminders."""
    today = local_today(now, config)
    tree = UnitTree.load(session)
    leaders = leaders_by_unit(session)
    spreader = Spreader(session, now)
    claimed: list[str] = []
    skipped: list[str] = []
    notes: list[str] = []
    sent = 0

    overdue = past_deadline(session, now)
    by_unit: dict[int, list[Problem]] = defaultdict(list)
    for problem in overdue:
        target_unit = _leader_unit(tree, leaders, problem.assignee_unit_id or problem.unit_id)
        if target_unit is None:
            notes.append(f"problem #{problem.id}: no leader found up the unit tree")
            continue
        by_unit[target_unit].append(problem)
    for unit_id, problems in sorted(by_unit.items()):
        key = f"escalation:overdue:{unit_id}:{today.isoformat()}"
        if not claim_run(session, key, JOB, now, force):
            skipped.append(key)
            continue
        claimed.append(key)
        items = [
            (p.id, p.category, prompts.short(p.text), (now - p.deadline).days)  # type: ignore[operator]
            for p in problems
        ]
        text = prompts.overdue_message(tree.name(unit_id), items)
        sent += send_personal(session, spreader, leaders[unit_id], text_payload(text), now)
        finish_run(session, key, now, f"{len(problems)} overdue")

    sent += _unassigned(
        session, now, config, tree, leaders, spreader, force, claimed, skipped, notes
    )

    cutoff = now - timedelta(days=config.ledger.followup_within_days)
    due = followup_due(session, cutoff)
    by_cadre: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    cadres: dict[int, Cadre] = {}
    inactive: dict[str, int] = defaultdict(int)
    for problem, cadre in due:
        if not cadre.active:  # not claimed: the reminder comes if they are reactivated
            inactive[cadre.userid] += 1
            continue
        key = f"escalation:followup:{problem.id}"
        if not claim_run(session, key, JOB, now, force):
            continue  # reminded on an earlier day: once per problem
        claimed.append(key)
        cadres[cadre.id] = cadre
        days = (now - problem.closed_at).days  # type: ignore[operator]
        by_cadre[cadre.id].append((problem.id, prompts.short(problem.text), days))
    for userid, count in inactive.items():
        notes.append(f"follow-up for inactive cadre {userid} not sent ({count} problem(s))")
    for cadre_id, pending in by_cadre.items():
        cadre = cadres[cadre_id]
        text = prompts.followup_message(cadre.name, pending)
        sent += send_personal(session, spreader, [cadre.userid], text_payload(text), now)
    return JobResult(JOB, tuple(claimed), tuple(skipped), sent, tuple(notes))


def _unassigned(
    session: Session,
    now: datetime,
    config: Config,
    tree: UnitTree,
    leaders: dict[int, list[str]],
    spreader: Spreader,
    force: bool,
    claimed: list[str],
    skipped: list[str],
    notes: list[str],
) -> int:
    """Registered problems past the 交办 deadline, to their own unit's leaders; rows queued."""
    allowed = timedelta(days=config.ledger.assign_within_days)
    late = never_assigned(session, now - allowed)
    by_unit: dict[int, list[Problem]] = defaultdict(list)
    for problem in late:
        target_unit = _leader_unit(tree, leaders, problem.unit_id)
        if target_unit is None:
            notes.append(f"problem #{problem.id}: no leader found up the unit tree")
            continue
        by_unit[target_unit].append(problem)
    today = local_today(now, config)
    sent = 0
    for unit_id, problems in sorted(by_unit.items()):
        key = f"escalation:unassigned:{unit_id}:{today.isoformat()}"
        if not claim_run(session, key, JOB, now, force):
            skipped.append(key)
            continue
        claimed.append(key)
        items = [
            (p.id, p.category, prompts.short(p.text), (now - p.created_at - allowed).days)
            for p in problems
        ]
        text = prompts.unassigned_message(
            tree.name(unit_id), config.ledger.assign_within_days, items
        )
        sent += send_personal(session, spreader, leaders[unit_id], text_payload(text), now)
        finish_run(session, key, now, f"{len(problems)} unassigned")
    return sent
