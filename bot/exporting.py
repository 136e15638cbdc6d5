"""An official table for a scope and a period: the one path `minqing export` and the
chat's 导出 share (the tables themselves are :mod:`storage.exports`).

:func:`export_request` turns inclusive local days into the export's ``[since, until)``
and wires the masking and the questionnaire's answer labels; :func:`workbook_bytes`
writes the table to a temporary file and returns its bytes (for the outbox).
"""

from __future__ import annotations

import os
import tempfile
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.dialogs import timeparse
from bot.dialogs.answers import display
from bot.dialogs.template import Template, TemplateError, load_named
from storage.db import Session
from storage.exports import ExportRequest, Scope, export_table
from storage.exports.base import plain_answer
from storage.masking import mask_numbers

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AnswerLabels:
    """Stored answers as the questionnaire words them (choice labels, not ids)."""

    def __init__(self) -> None:
        self._templates: dict[str, Template | None] = {}

    def __call__(self, template: str, question: str, value: object) -> str:
        if template not in self._templates:
            try:
                self._templates[template] = load_named(template)
            except TemplateError:
                self._templates[template] = None
        found = self._templates[template]
        if value is None or value == "" or found is None:
            return plain_answer(template, question, value)
        try:
            return display(found.question(question), value)
        except KeyError:
            return plain_answer(template, question, value)


def audit_period(first: date | None, last: date | None) -> dict[str, str | None]:
    """The period of an export as its audit row records it: ``from`` / ``to`` ISO days."""
    return {
        "from": None if first is None else first.isoformat(),
        "to": None if last is None else last.isoformat(),
    }


def _start_of(day: date | None, tz: ZoneInfo) -> datetime | None:
    return None if day is None else datetime.combine(day, time(), tzinfo=tz)


def export_request(
    campaign_id: int,
    scope: Scope,
    first: date | None,
    last: date | None,
    now: datetime,
    tz: ZoneInfo,
) -> ExportRequest:
    """The request for days ``first``..``last`` (inclusive, local; None = open end),
    counted at ``now``, personal numbers masked, answers by their labels."""
    return ExportRequest(
        campaign_id=campaign_id,
        scope=scope,
        tz=tz,
        since=_start_of(first, tz),
        until=_start_of(last + timedelta(days=1) if last else None, tz),
        redact=mask_numbers,
        now=now,
        today=timeparse.local_today(now, tz),
        answer_label=AnswerLabels(),
    )


def workbook_bytes(session: Session, table: str, request: ExportRequest) -> bytes:
    """Table ``table`` for ``request`` as the bytes of an .xlsx file (read-only)."""
    fd, tmp = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        export_table(session, table, request, tmp)
        with open(tmp, "rb") as f:
            return f.read()
    finally:
        os.unlink(tmp)
