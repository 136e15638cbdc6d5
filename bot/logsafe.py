"""Log lines that a user's text cannot forge or fill with personal numbers.

Values logged from a callback (a FromUserName, a problem text in an error) are
user input: a ``\\n`` in them would start what looks like a new server log line.
:class:`OneLineFormatter` escapes line breaks, control and invisible characters in
the message (``\\n``, ``\\u202e``) and masks ID, phone and bank-card numbers; the
traceback that may follow a message is left as Python wrote it.
"""

from __future__ import annotations

import logging
from typing import IO

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


def one_line_handler(stream: IO[str] | None = None, fmt: str = LOG_FORMAT) -> logging.Handler:
    """A stream handler (stderr by default) with :class:`OneLineFormatter`."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(OneLineFormatter(fmt))
    return handler
