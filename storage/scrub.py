"""Finding and removing given strings (a person's traces) in free-text columns.

Used by the erasure of one household (storage.person) and by the retention
redaction of a closed campaign (storage.retention). JSON columns are stored with
``\\uXXXX`` escapes, so a row is first picked in SQL by either spelling of a trace
(``LIKE``), then changed in Python on the decoded value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, Text, cast, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from storage.masking import ID_RE, MOBILE_RE
from storage.models import (
    AuditLog,
    DialogSession,
    InboundMessage,
    JobRun,
    OutboxMessage,
    Problem,
    ProblemEvent,
    ReviewDraw,
    Visit,
)

REDACTED = "（已删除）"
BATCH = 500

# The free-text and JSON columns where a household's name, phone, address or ID
# number can end up besides its own rows: texts typed about it, replies and
# messages that quoted it, drafts, notes. Ids, keys, names of cadres and units
# are not swept (a cadre who shares the name is not the household).
FREE_TEXT: tuple[InstrumentedAttribute[Any], ...] = (
    Visit.answers,
    Problem.text,
    Problem.closing_note,
    Problem.extension_reason,
    ProblemEvent.note,
    InboundMessage.reply,
    OutboxMessage.payload,
    OutboxMessage.last_error,
    DialogSession.data,
    AuditLog.detail,
    JobRun.summary,
    ReviewDraw.reason,
)

# Numbers that identify a person on their own: mobiles and ID-card numbers.
_NUMBER_RES = (MOBILE_RE, ID_RE)


def numbers_in(values: Iterable[Any]) -> set[str]:
    """Mobile and ID-card numbers inside the strings of ``values`` (nested JSON too)."""
    found: set[str] = set()
    for text in strings(values):
        for pattern in _NUMBER_RES:
            found.update(m.group(0).strip() for m in pattern.finditer(text))
    return found


def strings(value: Any) -> Iterable[str]:
    """Every string inside ``value`` (dict keys excluded)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from strings(item)


def replace_in(value: Any, traces: Sequence[str]) -> Any:
    """``value`` with every occurrence of each trace replaced by :data:`REDACTED`."""
    if isinstance(value, str):
        for trace in traces:
            if trace in value:
                value = value.replace(trace, REDACTED)
        return value
    if isinstance(value, dict):
        return {k: replace_in(v, traces) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [replace_in(v, traces) for v in value]
    return value


def _spellings(trace: str) -> set[str]:
    return {trace, json.dumps(trace)[1:-1]}


def sweep(session: Session, traces: Iterable[str], skip_audit_ids: Sequence[int] = ()) -> int:
    """Replace ``traces`` in every :data:`FREE_TEXT` column; returns cells changed.

    Longer traces first, so a name inside an address goes with the address.
    """
    ordered = sorted({t for t in traces if t and t.strip()}, key=len, reverse=True)
    if not ordered:
        return 0
    changed = 0
    for column in FREE_TEXT:
        model = column.class_
        pk = model.__mapper__.primary_key[0]
        is_json = isinstance(column.property.columns[0].type, JSON)
        as_text = cast(column, Text) if is_json else column
        hits = or_(*(as_text.contains(s, autoescape=True) for t in ordered for s in _spellings(t)))
        query = select(pk, column).where(hits)
        if model is AuditLog and skip_audit_ids:
            query = query.where(pk.not_in(list(skip_audit_ids)))
        rows = session.execute(query).all()
        for row_id, value in rows:
            new = replace_in(value, ordered)
            if new != value:
                session.execute(
                    update(model)
                    .where(pk == row_id)
                    .values({column.key: new})
                    .execution_options(synchronize_session=False)
                )
                changed += 1
    return changed


DIGITS_RE = re.compile(r"[0-9]{7,}")
_ID_LIKE = re.compile(r"^[A-Za-z0-9_.:+-]{1,40}$")


def redact_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """Answers with the free text gone: numbers, booleans, choice ids and dates stay
    (the official tables count them); any other string, and any string holding a
    run of 7+ digits (a phone, an ID number), becomes :data:`REDACTED`."""

    def one(value: Any) -> Any:
        if isinstance(value, str):
            if _ID_LIKE.match(value) and not DIGITS_RE.search(value):
                return value
            return REDACTED if value else value
        if isinstance(value, dict):
            return {k: one(v) for k, v in value.items()}
        if isinstance(value, list):
            return [one(v) for v in value]
        return value

    return {k: one(v) for k, v in answers.items()}
