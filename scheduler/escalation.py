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

At county scale the job works in batches, each in its own unit of work when the
scheduler runs it (:func:`run_batched`): problems are streamed into one small pile
per leader unit (a count and the first ``prompts.MAX_LISTED`` items), the piles'
run keys are claimed ``BATCH`` at a time with one ``INSERT … ON CONFLICT DO
NOTHING`` (no savepoint per key), and follow-ups go a page of ``BATCH`` cadres at a
time, skipping problems whose key exists in SQL. A batch commits its keys with its
messages, so a crash leaves whole batches done and a re-run finishes the rest; a
re-run the same day claims nothing and costs a few reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.config import Config
from scheduler import prompts
from scheduler.base import JobResult, local_today
from scheduler.sending import Spreader, send_personal
from storage.cadres import leaders_by_unit
from storage.db import Session
from storage.outbox import text_payload
from storage.overdue import followup_cadres, followup_due, never_assigned, past_deadline
from storage.runs import claim_runs, finish_runs
from storage.units import UnitTree

if TYPE_CHECKING:
    from bot.runtime import Runtime

JOB = "escalation"
FOLLOWUP_PREFIX = "escalation:followup:"
BATCH = 200  # leader units, or cadres, per unit of work

UnitsOfWork = Callable[[], AbstractContextManager[Session]]


@dataclass
class _Pile:
    """One leader unit's message: how many problems, and the first few listed."""

    count: int = 0
    items: list[tuple[int, str, str, int]] = field(default_factory=list)

    def add(self, item: tuple[int, str, str, int]) -> None:
        self.count += 1
        if len(self.items) < prompts.MAX_LISTED:
            self.items.append(item)


@dataclass
class _Outcome:
    claimed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sent: int = 0


def _leader_unit(tree: UnitTree, leaders: dict[int, list[str]], unit_id: int) -> int | None:
    current: int | None = unit_id
    while current is not None:
        if leaders.get(current):
            return current
        current = tree.units[current].parent_id
    return None


def run(session: Session, now: datetime, config: Config, *, force: bool = False) -> JobResult:
    """Queue today's escalations and follow-up reminders in the caller's unit of work."""
    return _run(lambda: nullcontext(session), now, config, force)


def run_batched(runtime: Runtime, now: datetime, *, force: bool = False) -> JobResult:
    """The scheduler's entry: the same work, each batch in its own unit of work."""
    return _run(runtime.unit_of_work, now, runtime.config, force)


def _run(units_of_work: UnitsOfWork, now: datetime, config: Config, force: bool) -> JobResult:
    today = local_today(now, config).isoformat()
    out = _Outcome()
    allowed = timedelta(days=config.ledger.assign_within_days)
    with units_of_work() as session:
        tree = UnitTree.load(session)
        leaders = leaders_by_unit(session)
        overdue = _piles(
            tree,
            leaders,
            (
                (pid, cat, text, unit, (now - deadline).days)
                for pid, cat, text, unit, deadline in past_deadline(session, now)
            ),
            out.notes,
        )
        late = _piles(
            tree,
            leaders,
            (
                (pid, cat, text, unit, (now - created - allowed).days)
                for pid, cat, text, unit, created in never_assigned(session, now - allowed)
            ),
            out.notes,
        )

    def overdue_text(unit_id: int, pile: _Pile) -> str:
        return prompts.overdue_message(tree.name(unit_id), pile.items, pile.count)

    def late_text(unit_id: int, pile: _Pile) -> str:
        days = config.ledger.assign_within_days
        return prompts.unassigned_message(tree.name(unit_id), days, pile.items, pile.count)

    for kind, piles, text_of, what in (
        ("overdue", overdue, overdue_text, "overdue"),
        ("unassigned", late, late_text, "unassigned"),
    ):
        units = sorted(piles)
        for start in range(0, len(units), BATCH):
            with units_of_work() as session:
                keys = {f"escalation:{kind}:{u}:{today}": u for u in units[start : start + BATCH]}
                got = claim_runs(session, keys, JOB, now, force)
                spreader = Spreader(session, now)
                done: dict[str, str] = {}
                for key, unit_id in keys.items():
                    if key not in got:
                        out.skipped.append(key)
                        continue
                    out.claimed.append(key)
                    payload = text_payload(text_of(unit_id, piles[unit_id]))
                    out.sent += send_personal(session, spreader, leaders[unit_id], payload, now)
                    done[key] = f"{piles[unit_id].count} {what}"
                finish_runs(session, done, now)

    _followups(units_of_work, now, config, force, out)
    return JobResult(JOB, tuple(out.claimed), tuple(out.skipped), out.sent, tuple(out.notes))


def _piles(
    tree: UnitTree,
    leaders: dict[int, list[str]],
    rows: Iterable[tuple[int, str, str, int, int]],
    notes: list[str],
) -> dict[int, _Pile]:
    """Problems (id, category, text, unit, days) by the nearest unit with a leader."""
    piles: dict[int, _Pile] = {}
    found: dict[int, int | None] = {}
    for pid, category, text, unit_id, days in rows:
        if unit_id not in found:
            found[unit_id] = _leader_unit(tree, leaders, unit_id)
        target = found[unit_id]
        if target is None:
            notes.append(f"problem #{pid}: no leader found up the unit tree")
            continue
        piles.setdefault(target, _Pile()).add((pid, category, prompts.short(text), days))
    return piles


def _followups(
    units_of_work: UnitsOfWork, now: datetime, config: Config, force: bool, out: _Outcome
) -> None:
    """Follow-up reminders a page of cadres at a time, each page its own unit of work."""
    cutoff = now - timedelta(days=config.ledger.followup_within_days)
    # With force every due problem is reminded again: no key hides it.
    prefix = None if force else FOLLOWUP_PREFIX
    after = 0
    inactive: dict[str, int] = {}
    while True:
        with units_of_work() as session:
            cadre_ids = followup_cadres(session, cutoff, prefix, after, BATCH)
            if not cadre_ids:
                break
            after = cadre_ids[-1]
            due = followup_due(session, cutoff, prefix, cadre_ids)
            wanted = [f"{FOLLOWUP_PREFIX}{pid}" for pid, _, _, cadre in due if cadre.active]
            got = claim_runs(session, wanted, JOB, now, force)
            spreader = Spreader(session, now)
            pending: dict[int, list[tuple[int, str, int]]] = {}
            names: dict[int, tuple[str, str]] = {}
            for pid, text, closed_at, cadre in due:
                if not cadre.active:  # not claimed: the reminder comes once reactivated
                    inactive[cadre.userid] = inactive.get(cadre.userid, 0) + 1
                    continue
                key = f"{FOLLOWUP_PREFIX}{pid}"
                if key not in got:
                    continue  # claimed meanwhile by another run
                out.claimed.append(key)
                names[cadre.id] = (cadre.name, cadre.userid)
                days = (now - closed_at).days
                pending.setdefault(cadre.id, []).append((pid, prompts.short(text), days))
            for cadre_id, items in pending.items():
                name, userid = names[cadre_id]
                text = prompts.followup_message(name, items)
                out.sent += send_personal(session, spreader, [userid], text_payload(text), now)
    for userid, count in inactive.items():
        out.notes.append(f"follow-up for inactive cadre {userid} not sent ({count} problem(s))")
