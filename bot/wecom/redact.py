"""Keep WeCom credentials out of error texts and logs.

A request URL carries the app secret (``gettoken?corpsecret=…``), the access token
(``?access_token=…``) or a group robot's key (``webhook/send?key=…``); ``requests``
puts that URL into its exception texts and urllib3 into its debug log. Whoever
holds one of them can send messages as the app, so:

- :func:`redact` masks those query parameters (and any literal secret passed in)
  in a text; :mod:`bot.wecom.client` applies it to every error it raises;
- :class:`RedactingFilter` does the same to log records (message and traceback);
  :func:`install` puts it on the loggers that see request URLs, and
  :func:`protect_handlers` on the root handlers of a process that logs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

MASK = "***"
SENSITIVE_PARAMS = ("corpsecret", "access_token", "key")
_PARAM = re.compile(
    r"(?i)(?<![A-Za-z0-9_])(" + "|".join(SENSITIVE_PARAMS) + r")(=|%3D)([^&\s'\"<>)(,;]+)"
)
# Loggers that see request URLs or our send errors, whatever else the process logs.
URL_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry", "minqing.outbox", "requests")


def redact(text: str, *secrets: str) -> str:
    """``text`` with sensitive query parameters and the given literal secrets masked."""
    masked = _PARAM.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            masked = masked.replace(secret, MASK)
    return masked


def robot_key(key: str) -> str:
    """A robot key as an admin may see it: only its last 4 characters (keys are UUIDs)."""
    return f"{MASK}{key[-4:]}" if len(key) >= 16 else MASK


class RedactingFilter(logging.Filter):
    """Masks credentials in a record's message and traceback; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_FILTER = RedactingFilter()


def install(names: Iterable[str] = URL_LOGGERS) -> None:
    """Put the filter on these loggers (idempotent)."""
    for name in names:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def protect_handlers() -> None:
    """Put the filter on the root logger's handlers, so every record they emit is masked."""
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
