"""Outbox payloads whose file is an official table still to be built (``_export``).

The chat's 导出 answers at once and queues, for the sender only::

    {"msgtype": "file", "file": {"media_id": ""},
     "_export": {"table": "problems", "userid": "xiaoli", "campaign_id": 1,
                 "first": "2026-11-01", "last": "2026-11-30"}}

(``first``/``last``: inclusive local days, "" for an open end). The sender process
builds the workbook (:func:`build`) — never the 5-second callback — with the same code
as `minqing export --as USERID` (:mod:`bot.exporting`), and the row becomes an
``_upload`` payload (:mod:`bot.outbox.media`): ``media/upload`` type file, then
``message/send`` msgtype file. The built file is kept in the row, so a retry sends the
same workbook instead of building it again.
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.exporting import XLSX_CONTENT_TYPE, audit_period, export_request, workbook_bytes
from bot.outbox.media import UPLOAD_KEY
from bot.runtime import Runtime
from storage import audit
from storage.exports import TABLES, ScopeError, resolve_scope

EXPORT_KEY = "_export"
NOT_BUILT = "抱歉，您要的表格没有生成成功。请稍后再发送“导出”重试；仍不行请联系管理员。"


def export_payload(
    table: str, userid: str, campaign_id: int, first: date | None, last: date | None
) -> dict[str, Any]:
    """The outbox payload asking for table ``table`` as ``userid`` sees it, days
    ``first``..``last`` (None: open end), sent as a file to that user."""
    return {
        "msgtype": "file",
        "file": {"media_id": ""},
        EXPORT_KEY: {
            "table": table,
            "userid": userid,
            "campaign_id": campaign_id,
            "first": first.isoformat() if first else "",
            "last": last.isoformat() if last else "",
        },
    }


def has_export(payload: dict[str, Any]) -> bool:
    return isinstance(payload.get(EXPORT_KEY), dict)


def file_name(title: str, first: date | None, last: date | None) -> str:
    """``问题清单_2026-11-01至2026-11-30.xlsx``, or ``…_全部.xlsx`` without a period."""
    if first is None and last is None:
        return f"{title}_全部.xlsx"
    return f"{title}_{first or '开始'}至{last or '今'}.xlsx"


def _day(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def build(runtime: Runtime, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    """``payload`` with its table built: ``_export`` replaced by ``_upload`` (new dict).

    Writes one audit row (who, which table, scope, period). Raises ValueError (the row fails with the reason) for
    a request that cannot be built: an unknown table or a userid no longer on the roster.
    """
    spec = payload[EXPORT_KEY]
    table, userid = str(spec.get("table", "")), str(spec.get("userid", ""))
    if not userid:  # without a viewer the scope would be everything
        raise ValueError("outbox payload: _export.userid missing")
    if table not in TABLES:
        raise ValueError(f"outbox payload: _export.table {table!r} is not a table")
    try:
        first, last = _day(spec.get("first")), _day(spec.get("last"))
        campaign_id = int(spec["campaign_id"])
    except (KeyError, TypeError, ValueError):
        raise ValueError("outbox payload: _export period or campaign malformed") from None
    tz = ZoneInfo(runtime.config.campaign.timezone)
    with runtime.unit_of_work() as session:
        try:
            scope = resolve_scope(session, campaign_id, None, userid)
        except ScopeError as exc:
            raise ValueError(f"outbox payload: _export scope: {exc}") from None
        request = export_request(campaign_id, scope, first, last, now, tz)
        content = workbook_bytes(session, table, request)
        audit.record(
            session,
            now,
            userid,
            audit.VIEW_EXPORT,
            f"user:{userid}",
            {"table": table, "via": "chat", **audit_period(first, last)},
        )
    body = {k: v for k, v in payload.items() if k != EXPORT_KEY}
    body[UPLOAD_KEY] = {
        "type": "file",
        "filename": file_name(TABLES[table].title, first, last),
        "content_type": XLSX_CONTENT_TYPE,
        "base64": base64.b64encode(content).decode("ascii"),
    }
    return body
