"""The roster import as two steps the CLI (or the demo) calls inside one transaction.

1. :func:`prepare` reads the file, loads the snapshot, validates and plans. It
   writes nothing; ``prepared.problems`` non-empty means the file must be refused.
2. :func:`commit_plan` writes the plan and one ``AuditLog`` row. The caller's unit
   of work commits.

:func:`import_roster` does both for callers that need no progress bar.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from storage.models import AuditLog
from storage.roster import messages as msg
from storage.roster.apply import CampaignSpec, Progress, apply_plan
from storage.roster.plan import Counts, Plan, make_plan
from storage.roster.reader import read_roster
from storage.roster.rows import Roster, RowError
from storage.roster.snapshot import Snapshot, load_snapshot
from storage.roster.validate import check, parse_book

AUDIT_ACTION = "roster.import"


@dataclass(frozen=True)
class Prepared:
    source: str
    roster: Roster
    snapshot: Snapshot
    plan: Plan

    @property
    def problems(self) -> tuple[RowError, ...]:
        return self.roster.problems

    @property
    def ok(self) -> bool:
        return not self.roster.problems


def prepare(
    session: Session,
    path: str | Path,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> Prepared:
    """Read and check ``path``; raises RosterFileError when it is not a workbook at all.

    ``progress(n)`` is told as rows are read.
    """
    # The raw cells are dropped once parsed, before the snapshot is loaded: a county's
    # re-import held both (400 MB).
    parsed = parse_book(read_roster(path, sheet=sheet, progress=progress))
    snap = load_snapshot(session)
    roster = check(parsed, snap)
    del parsed
    plan = make_plan(roster, snap) if not roster.problems else Plan()
    return Prepared(Path(path).name, roster, snap, plan)


def commit_plan(
    session: Session,
    prepared: Prepared,
    campaign: CampaignSpec,
    now: datetime,
    actor: str,
    progress: Progress | None = None,
) -> AuditLog:
    """Write a problem-free plan and its audit row; return the audit row."""
    if not prepared.ok:
        raise ValueError("refusing to apply a roster with problems")
    apply_plan(session, prepared.plan, prepared.snapshot, campaign, progress)
    entry = AuditLog(
        at=now,
        actor=actor,
        action=AUDIT_ACTION,
        detail={
            "file": prepared.source,
            "changes": prepared.plan.changes,
            "counts": {k: asdict(v) for k, v in prepared.plan.counts.items()},
        },
    )
    session.add(entry)
    session.flush()
    refresh_statistics(session)
    return entry


# The tables a roster import fills. A county's first import turns them from empty into
# 100 000 rows; until autovacuum's analyze catches up, PostgreSQL plans joins on them as
# if they were empty (an export measured 40 s instead of 1 s: docs/performance.md).
ROSTER_TABLES = ("units", "cadres", "targets", "phases", "assignments")


def refresh_statistics(session: Session) -> None:
    """On PostgreSQL, ANALYZE the roster tables within the import's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE " + ", ".join(ROSTER_TABLES)))


def import_roster(
    session: Session,
    path: str | Path,
    campaign: CampaignSpec,
    now: datetime,
    actor: str,
    sheet: str | None = None,
) -> Prepared:
    """Prepare and, when the file has no problems, apply. Check ``.problems`` after."""
    prepared = prepare(session, path, sheet=sheet)
    if prepared.ok:
        commit_plan(session, prepared, campaign, now, actor)
    return prepared


def summary_lines(counts: dict[str, Counts]) -> list[str]:
    """One Chinese line per sheet: 新增/更新/未变."""
    return [
        msg.summary_line(label, c.created, c.updated, c.unchanged)
        for key, label in msg.SUMMARY_LABELS.items()
        if (c := counts.get(key)) is not None
    ]
