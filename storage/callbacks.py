"""The callback hot path's statements: read a user's turn, record the message once.

Every callback runs (in one transaction, owned by the caller):

1. :func:`claim_callback`: reads the active cadre, the user's :class:`DialogSession` row
   (created on a cadre's first callback), the active campaign (kept in the session for
   :func:`storage.campaigns.find_active_campaign`, so no handler asks again) and looks the
   ``dedupe_key`` up. PostgreSQL, ONE statement::

       WITH c AS (SELECT … FROM cadres WHERE userid = :u AND active),
            d AS (INSERT INTO dialog_sessions … SELECT … WHERE EXISTS (SELECT FROM c)
                  ON CONFLICT (userid) DO UPDATE SET userid = excluded.userid
                  RETURNING …)
       SELECT c.*, d.*, cp.*, (SELECT id FROM inbound_messages WHERE dedupe_key = :k), …
       FROM c LEFT JOIN d ON true
              LEFT JOIN (SELECT … FROM campaigns WHERE active … LIMIT 1) cp ON true

   The upsert holds the row lock until commit, so one user's callbacks apply one at
   a time (a second one waits here). SQLite: one joined read, with no lock (the caller's
   transaction is :func:`storage.db.write_late`), plus an INSERT on a cadre's first
   callback ever.
2. The handler runs; it changes ``dialog.state``/``data`` on the returned row, which is
   not in the ORM session.
3. :func:`finish_callback`: the dialog row's UPDATE, only if the handler changed it, with
   ``WHERE version = <the version read>``, and the dedupe row,
   ``INSERT … ON CONFLICT (dedupe_key) DO NOTHING``. PostgreSQL: both in one statement
   (a data-modifying WITH).

Why the version and the conflict are checked at the write: on SQLite another callback may
have committed between the read and the write (the write lock is taken only at the first
write): a message of the same user moves the version (the caller rolls back and applies
again), a retry of the same message takes the key (the caller rolls back and answers
with :func:`stored_reply`). On PostgreSQL the dedupe lookup in step 1 reads the
statement's snapshot, taken before the lock wait: a retry applied by the transaction we
waited for is missed there but not by the unique index. Applied once, either way.

Rows come back through Core (no ORM query machinery); cadre and campaign are attached
to the session as persistent objects. Unknown users (no active cadre): nothing is
written here and :attr:`ClaimedCallback.cadre` is None.
"""

from __future__ import annotations

import copy
import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    Executable,
    Integer,
    String,
    bindparam,
    exists,
    func,
    literal,
    select,
    true,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached

from storage.campaigns import remember_active_campaign
from storage.models import AuditLog, Cadre, Campaign, DialogSession, InboundMessage
from storage.sessions import IDLE_STEP
from storage.units import remember_subtrees

CADRES = Cadre.metadata.tables[Cadre.__tablename__]
DIALOGS = Cadre.metadata.tables[DialogSession.__tablename__]
INBOUND = Cadre.metadata.tables[InboundMessage.__tablename__]
CAMPAIGNS = Cadre.metadata.tables[Campaign.__tablename__]


def stored_key(dedupe_key: str) -> str:
    """What ``inbound_messages.dedupe_key`` holds: the SHA-256 (hex) of the whole key,
    so keys of any length are compared in full (64 characters, no truncation)."""
    return hashlib.sha256(dedupe_key.encode("utf-8")).hexdigest()


T = TypeVar("T", Cadre, DialogSession, Campaign)


@dataclass(frozen=True)
class ClaimedCallback:
    """What :func:`claim_callback` found: the cadre (None: unknown user), their locked dialog
    row, and the stored reply if this dedupe key was applied before (None: new)."""

    cadre: Cadre | None
    dialog: DialogSession | None
    seen_reply: str | None
    read: _Read | None = None  # the dialog row as read, for save_dialog()


@dataclass(frozen=True)
class _Read:
    state: str
    data: Any
    version: int


def _labelled(prefix: str, table: Any) -> list[Any]:
    return [col.label(f"{prefix}{col.name}") for col in table.c]


def _seen_columns() -> list[Any]:
    key = INBOUND.c.dedupe_key == bindparam("key", type_=String)
    return [
        select(INBOUND.c.id).where(key).scalar_subquery().label("seen_id"),
        select(INBOUND.c.reply).where(key).scalar_subquery().label("seen_reply"),
    ]


def _active_campaign() -> Any:
    """The active campaign (the newest one when several are), as a one-row subquery."""
    return (
        select(CAMPAIGNS)
        .where(CAMPAIGNS.c.active.is_(True))
        .order_by(CAMPAIGNS.c.id.desc())
        .limit(1)
        .subquery("cp")
    )


def _new_dialog_select(cadre_exists: Any) -> Any:
    """SELECT :userid, 'idle', '{}', 0, :now WHERE <the user is an active cadre>."""
    return select(
        bindparam("userid", type_=String),
        literal(IDLE_STEP, String),
        literal({}, DIALOGS.c.data.type),
        literal(0, Integer),
        bindparam("now", type_=DIALOGS.c.updated_at.type),
    ).where(cadre_exists)


DIALOG_INSERT_COLUMNS = ["userid", "state", "data", "version", "updated_at"]


@functools.cache
def _pg_claim() -> Executable:
    """Built once: constructing the statement costs more than running it."""
    active = select(CADRES).where(
        CADRES.c.userid == bindparam("userid", type_=String), CADRES.c.active.is_(True)
    )
    c = active.cte("c")
    upsert = postgresql.insert(DIALOGS).from_select(
        DIALOG_INSERT_COLUMNS, _new_dialog_select(exists(select(c.c.id)))
    )
    d = (
        upsert.on_conflict_do_update(
            index_elements=["userid"], set_={"userid": upsert.excluded.userid}
        )
        .returning(*DIALOGS.c)
        .cte("d")
    )
    cp = _active_campaign()
    return select(
        *_labelled("c_", c), *_labelled("d_", d), *_labelled("p_", cp), *_seen_columns()
    ).select_from(c.outerjoin(d, true()).outerjoin(cp, true()))


@functools.cache
def _sqlite_claim() -> tuple[Executable, Executable]:
    """The joined read, and the insert for a cadre's first callback (RETURNING: SQLite 3.35+)."""
    cp = _active_campaign()
    read = (
        select(
            *_labelled("c_", CADRES),
            *_labelled("d_", DIALOGS),
            *_labelled("p_", cp),
            *_seen_columns(),
        )
        .select_from(
            CADRES.outerjoin(DIALOGS, DIALOGS.c.userid == CADRES.c.userid).outerjoin(cp, true())
        )
        .where(CADRES.c.userid == bindparam("userid", type_=String), CADRES.c.active.is_(True))
    )
    add = (
        sqlite.insert(DIALOGS)
        .values(
            userid=bindparam("userid", type_=String),
            state=IDLE_STEP,
            data={},
            version=0,
            updated_at=bindparam("now", type_=DIALOGS.c.updated_at.type),
        )
        .on_conflict_do_update(
            index_elements=["userid"], set_={"userid": sqlite.insert(DIALOGS).excluded.userid}
        )
        .returning(*_labelled("d_", DIALOGS))
    )
    return read, add


def _attach(session: Session, cls: type[T], row: Mapping[Any, Any], prefix: str) -> T:
    """A persistent object from already-loaded column values (no SELECT, no refresh)."""
    obj = _detached(cls, row, prefix)
    session.add(obj)
    return obj


def _detached(cls: type[T], row: Mapping[Any, Any], prefix: str) -> T:
    # Filled in place of __init__ (which fires an attribute event per column): the values
    # are the row as stored, i.e. the object's committed state.
    manager, columns = _columns(cls)
    obj: T = manager.new_instance()
    obj.__dict__.update({key: row[f"{prefix}{name}"] for key, name in columns})
    make_transient_to_detached(obj)
    return obj


@functools.cache
def _columns(cls: type) -> tuple[Any, tuple[tuple[str, str], ...]]:
    mapper: Any = sa_inspect(cls)
    columns = tuple((attr.key, attr.columns[0].name) for attr in mapper.column_attrs)
    return mapper.class_manager, columns


def claim_callback(
    session: Session, userid: str, dedupe_key: str, now: datetime
) -> ClaimedCallback:
    """Read the user's turn: cadre, dialog row (created for a cadre's first callback), the
    active campaign and whether this dedupe key was applied before.

    In: the callback's userid, its dedupe key, the time. Out: :class:`ClaimedCallback`.
    Writes nothing for an unknown user. PostgreSQL locks the dialog row until the caller's
    commit; SQLite reads it without a lock (the caller may have made the transaction
    :func:`storage.db.write_late`): :func:`save_dialog` checks the version it read.

    The dialog row is NOT in the session: handlers change ``state``/``data`` on it, and
    :func:`save_dialog` writes it back (one UPDATE, only if something changed).
    """
    params = {"userid": userid, "now": now, "key": stored_key(dedupe_key)}
    conn = session.connection()
    row: Mapping[Any, Any] | None
    if conn.dialect.name == "postgresql":
        row = conn.execute(_pg_claim(), params).mappings().first()
    else:
        read, add = _sqlite_claim()
        row = conn.execute(read, params).mappings().first()
        if row is not None and row["d_id"] is None:  # a cadre's first callback ever
            dialog_row = conn.execute(add, params).mappings().one()
            row = {**row, **dialog_row}
    if row is None:
        return ClaimedCallback(None, None, None)
    cadre = _attach(session, Cadre, row, "c_")
    dialog = _detached(DialogSession, row, "d_")
    campaign = None if row["p_id"] is None else _attach(session, Campaign, row, "p_")
    remember_active_campaign(session, campaign)
    remember_subtrees(session)
    seen = None if row["seen_id"] is None else (row["seen_reply"] or "")
    return ClaimedCallback(
        cadre, dialog, seen, _Read(dialog.state, copy.deepcopy(dialog.data), dialog.version)
    )


def save_dialog(session: Session, claimed: ClaimedCallback) -> bool:
    """Write the claimed dialog row back if the handler changed it: ONE UPDATE whose WHERE
    holds the version :func:`claim_callback` read. False: another callback of this user
    changed the row in between (SQLite reads without a lock), nothing was written, and the
    caller must roll back and apply this callback again."""
    values = _dialog_values(claimed)
    if values is None:
        return True
    return session.connection().execute(_DIALOG_UPDATE, values).rowcount == 1


_DIALOG_UPDATE = (
    DIALOGS.update()
    .where(DIALOGS.c.id == bindparam("b_id"), DIALOGS.c.version == bindparam("b_seen"))
    .values(
        state=bindparam("b_state"),
        data=bindparam("b_data", type_=DIALOGS.c.data.type),
        version=bindparam("b_version"),
        updated_at=bindparam("b_updated_at", type_=DIALOGS.c.updated_at.type),
    )
)


PG_RECORD = (
    postgresql.insert(INBOUND)
    .on_conflict_do_nothing(index_elements=["dedupe_key"])
    .returning(INBOUND.c.id)
)
# SQLite: the key may have been taken since claim_callback() looked (it read without the
# write lock), so the same ON CONFLICT; the row count says whether ours went in.
SQLITE_RECORD = sqlite.insert(INBOUND).on_conflict_do_nothing(index_elements=["dedupe_key"])


def record_applied(
    session: Session, dedupe_key: str, userid: str, msg_type: str, now: datetime, reply: str
) -> bool:
    """Store the applied callback and its reply; False if the key was taken meanwhile
    (a concurrent retry committed first: the caller must roll back)."""
    conn = session.connection()
    values = {
        "dedupe_key": stored_key(dedupe_key),
        "userid": userid,
        "msg_type": msg_type[:32],
        "received_at": now,
        "reply": reply,
    }
    if conn.dialect.name != "postgresql":
        return conn.execute(SQLITE_RECORD, values).rowcount == 1
    return conn.execute(PG_RECORD, values).first() is not None


def stored_reply(session: Session, dedupe_key: str) -> str | None:
    """The reply stored for an applied callback (None if it was never applied)."""
    row = (
        session.connection()
        .execute(select(INBOUND.c.reply).where(INBOUND.c.dedupe_key == stored_key(dedupe_key)))
        .first()
    )
    return None if row is None else (row.reply or "")


def audit_unknown_user(
    session: Session, userid: str, msg_type: str, event: str, now: datetime
) -> None:
    """One audit row for a callback from a userid that is not an active cadre."""
    session.add(
        AuditLog(
            at=now,
            actor=userid[:64],
            action="unknown_user",
            detail={"msg_type": msg_type, "event": event},
        )
    )


def purge_received_before(session: Session, cutoff: datetime) -> int:
    """Delete applied callbacks received before ``cutoff``; returns how many."""
    result = session.connection().execute(INBOUND.delete().where(INBOUND.c.received_at < cutoff))
    return int(result.rowcount or 0)


def _dialog_values(claimed: ClaimedCallback) -> dict[str, Any] | None:
    """The UPDATE's parameters if the handler changed the dialog row, else None."""
    dialog, read = claimed.dialog, claimed.read
    if dialog is None or read is None:
        return None
    if (dialog.state, dialog.data, dialog.version) == (read.state, read.data, read.version):
        return None
    dialog.version = read.version + 1
    return {
        "b_id": dialog.id,
        "b_seen": read.version,
        "b_state": dialog.state,
        "b_data": dialog.data,
        "b_version": dialog.version,
        "b_updated_at": dialog.updated_at,
    }


@functools.cache
def _pg_finish() -> Executable:
    """PostgreSQL: the dialog row's UPDATE and the dedupe row's INSERT in one round trip."""
    moved = _DIALOG_UPDATE.returning(DIALOGS.c.id).cte("moved")
    return (
        postgresql.insert(INBOUND)
        .values(
            dedupe_key=bindparam("k_dedupe_key", type_=String),
            userid=bindparam("k_userid", type_=String),
            msg_type=bindparam("k_msg_type", type_=String),
            received_at=bindparam("k_received_at", type_=INBOUND.c.received_at.type),
            reply=bindparam("k_reply", type_=INBOUND.c.reply.type),
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(
            INBOUND.c.id, select(func.count()).select_from(moved).scalar_subquery().label("moved")
        )
        .add_cte(moved)
    )


def finish_callback(
    session: Session,
    claimed: ClaimedCallback,
    dedupe_key: str,
    msg_type: str,
    now: datetime,
    reply: str,
) -> str:
    """Write what one applied callback leaves behind besides the handler's rows: the dialog
    row if the handler changed it (:func:`save_dialog`) and the dedupe row with the reply
    (:func:`record_applied`). PostgreSQL does both in one statement.

    Out: ``"applied"``; ``"moved"``: the dialog row changed since it was read (SQLite);
    ``"taken"``: a retry of this callback was applied first. For either of the last two
    the caller must roll back.
    """
    assert claimed.cadre is not None
    userid = claimed.cadre.userid
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        if not save_dialog(session, claimed):
            return "moved"
        if not record_applied(session, dedupe_key, userid, msg_type, now, reply):
            return "taken"
        return "applied"
    dialog = _dialog_values(claimed)
    if dialog is None:
        return (
            "applied"
            if record_applied(session, dedupe_key, userid, msg_type, now, reply)
            else "taken"
        )
    values = {
        **dialog,
        "k_dedupe_key": stored_key(dedupe_key),
        "k_userid": userid,
        "k_msg_type": msg_type[:32],
        "k_received_at": now,
        "k_reply": reply,
    }
    row = conn.execute(_pg_finish(), values).first()
    if row is None:
        return "taken"
    return "applied" if row.moved == 1 else "moved"
