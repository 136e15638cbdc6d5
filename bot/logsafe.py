"""Log lines that a user's text cannot forge or fill with personal numbers.

Values logged from a callback (a FromUserName, a problem text in an error) are
user input: a ``\\n`` in them would start what looks like a new server log line.
:class:`OneLineFormatter` escapes line breaks, control and invisible characters in
the message (``\\n``, ``\\u202e``) and masks ID, phone and bank-card numbers; the
traceback that may follow a message is left as Python wrote it.

:class:`JsonLineFormatter` (``[server] log_format = "json"``) writes the same masked
message as one JSON object per line, with the record's ``fields`` (``extra={"fields":
{...}}``, e.g. the callback line's user, type, outcome and ms) as keys of their own.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import IO, Any

from storage.masking import mask_numbers
from storage.safe_text import log_safe

LOG_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"


class OneLineFormatter(logging.Formatter):
    """A :class:`logging.Formatter` whose message part is always one line."""

    def format(self, record: logging.LogRecord) -> str:
        msg, args = record.msg, record.args
        record.msg, record.args = log_safe(mask_numbers(record.getMessage())), None
        try:
            return super().format(record)
        finally:
            record.msg, record.args = msg, args


class JsonLineFormatter(logging.Formatter):
    """One JSON object per record: ``ts`` (UTC), ``level``, ``logger``, ``pid``, ``msg``
    (masked like :class:`OneLineFormatter`), the record's ``fields`` and, after an
    exception, ``exc`` (the traceback, numbers masked)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "msg": log_safe(mask_numbers(record.getMessage())),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            for key, value in fields.items():
                entry.setdefault(str(key), mask_numbers(value) if isinstance(value, str) else value)
        if record.exc_info:
            entry["exc"] = mask_numbers(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def formatter(log_format: str = "text", fmt: str = LOG_FORMAT) -> logging.Formatter:
    """The formatter for ``[server] log_format``: ``"text"`` or ``"json"``."""
    return JsonLineFormatter() if log_format == "json" else OneLineFormatter(fmt)


def one_line_handler(
    stream: IO[str] | None = None, fmt: str = LOG_FORMAT, log_format: str = "text"
) -> logging.Handler:
    """A stream handler (stderr by default) whose records are one line each: text with
    :class:`OneLineFormatter`, or JSON with :class:`JsonLineFormatter`."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter(log_format, fmt))
    return handler
