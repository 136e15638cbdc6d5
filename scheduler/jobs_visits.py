"""Jobs about visits in progress (issue 5): 约访 and idle-draft reminders, photo downloads.

- :func:`run` (job ``visit_reminders``, every 10 minutes) queues
  :func:`remind_appointments` and :func:`remind_idle_drafts`: private messages to
  the cadre, each claimed once by its run key (``appointment:<visit id>``,
  ``draft:<session id>:<updated_at epoch>``).
- :func:`fetch_media` (job ``visit_media``, every minute) wraps
  :func:`download_visit_media`: photos sent during visits are fetched through
  media/get here, outside any callback (a media_id expires after 3 days). It needs
  the runtime, not a session: no transaction may stay open while it waits on WeCom.

Drafts are recognised the way the dialog stores them: :func:`storage.sessions.idle_drafts`
(any step but the resting ones, ``data["target"]`` naming the household).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.config import Config
from scheduler import prompts
from scheduler.base import JobResult, local_now
from scheduler.sending import Spreader, send_personal
from storage import appointments, sessions, visit_media
from storage.db import Session
from storage.outbox import text_payload
from storage.runs import claim_run, finish_run
from storage.units import UnitTree

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from bot.wecom.client import WecomClient

log = logging.getLogger("minqing.jobs.visits")

JOB = "visit_reminders"
MEDIA_JOB = "visit_media"
APPOINTMENT_LEAD = timedelta(minutes=30)  # remind this long before the agreed time
APPOINTMENT_LATE = timedelta(hours=2)  # still remind if the scheduler was down this long
MEDIA_LIFETIME = timedelta(days=3)


def run(session: Session, now: datetime, config: Config, *, force: bool = False) -> JobResult:
    """Queue the appointment and idle-draft reminders due at ``now``."""
    spreader = Spreader(session, now)
    claimed, sent = remind_appointments(session, now, config, spreader, force)
    drafts, draft_sent = remind_idle_drafts(session, now, config, spreader, force)
    return JobResult(JOB, tuple(claimed + drafts), (), sent + draft_sent)


def remind_appointments(
    session: Session, now: datetime, config: Config, spreader: Spreader, force: bool = False
) -> tuple[list[str], int]:
    """One reminder per 约访 from 30 minutes before its time to 2 hours after.

    Skipped when the household has a later visit (visited, re-booked…) or is no
    longer assigned to that cadre. Returns (run keys claimed, rows queued).
    """
    due = appointments.due_between(session, now - APPOINTMENT_LATE, now + APPOINTMENT_LEAD)
    tree = UnitTree.load(session) if due else None
    claimed: list[str] = []
    sent = 0
    for visit, target, cadre in due:
        if not appointments.still_open(session, visit):
            continue
        key = f"appointment:{visit.id}"
        if not claim_run(session, key, JOB, now, force):
            continue
        assert visit.appointment_at is not None and tree is not None
        when = local_now(visit.appointment_at, config).strftime("%m月%d日 %H:%M")
        label = prompts.target_label(
            target.head_name, tree.name(target.unit_id), target.grid, target.address, target.kind
        )
        text = prompts.appointment_reminder(cadre.name, when, label)
        sent += send_personal(session, spreader, [cadre.userid], text_payload(text), now)
        claimed.append(key)
        finish_run(session, key, now, cadre.userid)
    return claimed, sent


def remind_idle_drafts(
    session: Session, now: datetime, config: Config, spreader: Spreader, force: bool = False
) -> tuple[list[str], int]:
    """One reminder per draft untouched for ``scheduler.draft_idle_hours`` hours.

    ``reminded_at`` is set with a conditional UPDATE on the ``updated_at`` this job
    saw, so a cadre who carried on meanwhile is not nudged; a later message re-arms
    the reminder. Returns (run keys claimed, rows queued).
    """
    idle_for = timedelta(hours=config.scheduler.draft_idle_hours)
    claimed: list[str] = []
    sent = 0
    for row in sessions.idle_drafts(session, now, idle_for):
        draft_id, userid, updated_at = row.id, row.userid, row.updated_at
        household = str(((row.data or {}).get("target") or {}).get("name", ""))
        key = f"draft:{draft_id}:{int(updated_at.timestamp())}"
        if not claim_run(session, key, JOB, now, force):
            continue
        if not sessions.mark_reminded(session, draft_id, updated_at, now):
            continue  # the cadre carried on meanwhile
        hours = int((now - updated_at).total_seconds() // 3600)
        text = prompts.draft_reminder(hours, household)
        sent += send_personal(session, spreader, [userid], text_payload(text), now)
        claimed.append(key)
        finish_run(session, key, now, userid)
    return claimed, sent


def fetch_media(runtime: Runtime, now: datetime, *, force: bool = False) -> JobResult:
    """Job ``visit_media``: download pending visit photos (``force`` changes nothing)."""
    done = download_visit_media(runtime, now)
    return JobResult(MEDIA_JOB, notes=(f"{done} photo(s) downloaded",))


def download_visit_media(
    runtime: Runtime, now: datetime, client: WecomClient | None = None, limit: int = 20
) -> int:
    """Fetch photos not downloaded yet (received in the last 3 days); returns how many."""
    from bot.wecom.client import WecomApiError, WecomNetworkError
    from bot.wecom.tokens import make_client

    with runtime.unit_of_work() as s:
        pending = visit_media.pending(s, now - MEDIA_LIFETIME, limit)
    if not pending:
        return 0
    api = client or make_client(runtime)
    done = 0
    for row_id, media_id in pending:
        try:
            content, ctype = api.get_media(media_id)
        except (WecomApiError, WecomNetworkError) as exc:
            log.warning("media/get failed (%s); will retry", type(exc).__name__)
            continue
        with runtime.unit_of_work() as s:
            if visit_media.store_content(s, row_id, content, ctype):
                done += 1
    return done
