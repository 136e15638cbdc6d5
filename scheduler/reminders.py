"""Deadline reminders: N days before each phase's deadline (scheduler.reminder_days_before).

Run daily (default 09:00 local). For every phase of an active campaign whose
deadline is exactly N days away, it claims ``reminder:<phase id>:<N>`` and then:
- each configured group chat gets totals per unit of its subtree and the names of
  its cadres still behind (robots @-mention them);
- each cadre behind gets a personal list of their remaining households.
A run on another day finds other distances, so a missed reminder is never sent late.
"""

from __future__ import annotations

from datetime import datetime

from bot.config import Config
from scheduler import prompts
from scheduler.base import JobResult, local_today
from scheduler.sending import Spreader, send_group, send_personal
from storage import cadres, facts
from storage.campaigns import find_active_campaign
from storage.db import Session
from storage.models import Phase
from storage.outbox import text_payload
from storage.progress import cadre_progress, remaining_by_cadre, scope_coverage
from storage.runs import claim_run, finish_run
from storage.units import UnitTree

JOB = "reminders"
PAGE = 200  # behind cadres whose remaining households are loaded together


def run(session: Session, now: datetime, config: Config, *, force: bool = False) -> JobResult:
    """Queue the reminders due today; returns the run keys claimed and messages queued."""
    today = local_today(now, config)
    campaign = find_active_campaign(session)
    claimed: list[str] = []
    skipped: list[str] = []
    notes: list[str] = []
    sent = 0
    for phase in campaign.phases if campaign is not None else []:
        days = (phase.deadline - today).days
        if days not in config.scheduler.reminder_days_before:
            continue
        key = f"reminder:{phase.id}:{days}"
        if not claim_run(session, key, JOB, now, force):
            skipped.append(key)
            continue
        claimed.append(key)
        before = len(notes)
        queued = _remind(session, now, config, phase, days, notes)
        sent += queued
        finish_run(session, key, now, "; ".join([f"{queued} message(s)", *notes[before:]]))
    return JobResult(JOB, tuple(claimed), tuple(skipped), sent, tuple(notes))


def _remind(
    session: Session, now: datetime, config: Config, phase: Phase, days: int, notes: list[str]
) -> int:
    """Queue one phase's group and personal reminders; returns the rows queued."""
    campaign = phase.campaign
    tree = UnitTree.load(session)
    spreader = Spreader(session, now)
    allow = [u.name for u in tree.units.values()] + [campaign.name, phase.name]
    allow += cadres.all_names(session)
    progress = cadre_progress(session, campaign.id, list(tree.units))
    behind = [p for p in progress if p.remaining > 0]
    sent = 0
    for group in config.groups:
        unit = tree.by_name(group.unit)
        if unit is None:
            notes.append(f"group unit {group.unit!r} is not on the roster")
            continue
        scope = tree.subtree(unit.id)
        here = [b for b in behind if b.unit_id in scope]
        cov = scope_coverage(session, campaign.id, tree, facts.scope_for_unit(session, unit))
        text = prompts.reminder_group(campaign.name, phase.name, phase.deadline, days, cov, here)
        mention = [b.userid for b in here]
        refused = send_group(
            session, spreader, group, text, now, mention=mention, allow=allow, job=JOB
        )
        if refused:
            notes.append(refused)
        else:
            sent += 1
    for start in range(0, len(behind), PAGE):  # a page of cadres' households at a time
        page = behind[start : start + PAGE]
        left = remaining_by_cadre(session, campaign.id, [b.cadre_id for b in page])
        for b in page:
            labels = [
                prompts.target_label(t.head_name, tree.name(t.unit_id), t.grid, t.address, t.kind)
                for t in left[b.cadre_id]
            ]
            text = prompts.reminder_personal(b.name, phase.name, phase.deadline, days, labels)
            sent += send_personal(session, spreader, [b.userid], text_payload(text), now)
    return sent
