"""Leadership through a row in the ``leases`` table, atomic on SQLite and PostgreSQL.

Only the holder of the ``scheduler`` lease runs jobs. A holder renews well before
the lease expires; when it dies, the row simply runs out and another process takes
it over with one UPDATE. None of these functions commits: call each inside its own
unit of work so the lease row is never held in a long transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Lease

SCHEDULER_LEASE = "scheduler"
_EXPIRED = datetime(1970, 1, 1, tzinfo=UTC)


def acquire(session: Session, name: str, holder: str, now: datetime, ttl_seconds: float) -> bool:
    """Take or renew lease ``name`` for ``holder`` until ``now + ttl``; True if held.

    One conditional UPDATE (``expires_at < now OR holder = me``) decides between
    competing processes; the first use of a name INSERTs the row, and losing that
    insert race (unique primary key) simply means someone else holds it.
    """
    expires = now + timedelta(seconds=ttl_seconds)
    stmt = (
        update(Lease)
        .where(Lease.name == name, or_(Lease.expires_at < now, Lease.holder == holder))
        .values(holder=holder, expires_at=expires)
        .execution_options(synchronize_session=False)
    )
    if session.execute(stmt).rowcount == 1:  # type: ignore[attr-defined]
        return True
    if session.get(Lease, name) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(Lease(name=name, holder=holder, expires_at=expires))
            session.flush()
    except IntegrityError:
        return False
    return True


def release(session: Session, name: str, holder: str) -> bool:
    """Give the lease up at once (on a clean shutdown); True if ``holder`` had it."""
    stmt = (
        update(Lease)
        .where(Lease.name == name, Lease.holder == holder)
        .values(expires_at=_EXPIRED)
        .execution_options(synchronize_session=False)
    )
    return session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]


def holder_of(session: Session, name: str, now: datetime) -> str | None:
    """Who holds lease ``name`` at ``now`` (None when free or expired)."""
    row = session.execute(select(Lease.holder, Lease.expires_at).where(Lease.name == name)).first()
    if row is None or row.expires_at <= now:
        return None
    return row.holder


def is_held_by(session: Session, name: str, holder: str, now: datetime) -> bool:
    return holder_of(session, name, now) == holder


def last_holder(session: Session, name: str) -> tuple[str, datetime] | None:
    """The last holder of lease ``name`` and when its hold ends (or ended); None if never taken."""
    row = session.execute(select(Lease.holder, Lease.expires_at).where(Lease.name == name)).first()
    return None if row is None else (row.holder, row.expires_at)
