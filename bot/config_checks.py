"""The checks behind bot/config.py's schema, and pydantic's errors put in our words.

Each check raises ``ValueError`` with the reason only ("must be …"); bot/config.py puts
``<file>: <section>.<key>`` in front of it.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic_core import ErrorDetails
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError


def non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def aes_key(value: str) -> str:
    if len(value) != 43:
        raise ValueError(f"must be 43 characters (got {len(value)})")
    return value


def hhmm(value: str) -> str:
    parts = value.split(":")
    ok = len(parts) == 2 and all(p.isdecimal() for p in parts)
    if not ok or not (0 <= int(parts[0]) < 24 and 0 <= int(parts[1]) < 60):
        raise ValueError(f"must be a time like 08:30 (got {value!r})")
    return value


def days_list(value: Any) -> tuple[int, ...]:
    """A TOML list of whole numbers ≥ 0, as a tuple."""
    if not isinstance(value, list | tuple) or not all(
        isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in value
    ):
        raise ValueError(f"must be a list of whole numbers ≥ 0 (got {value!r})")
    return tuple(value)


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a known time zone (e.g. Asia/Shanghai)") from None
    return name


def check_database_url(url: str) -> str:
    """The URL names SQLite or PostgreSQL, parses, and its driver is installed."""
    if not url.startswith(("sqlite", "postgresql")):
        raise ValueError(f"must start with sqlite:// or postgresql+psycopg:// (got {url!r})")
    try:
        make_url(url).get_dialect().import_dbapi()
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as exc:
        known = isinstance(exc, NoSuchModuleError | ImportError)
        why = str(exc) if known else "cannot be parsed"
        raise ValueError(
            f"is not usable ({why}); "
            "write e.g. sqlite:///var/minqing.db or postgresql+psycopg://user@host/db"
        ) from None
    return url


def suggest(word: str, known: Sequence[str]) -> str:
    """`` (did you mean secret?)`` for a near miss, else ``""``."""
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def reason(err: ErrorDetails) -> str:
    """One pydantic error as the end of our one-line message."""
    kind, ctx, got = err["type"], err.get("ctx") or {}, err.get("input")
    if kind in ("missing", "missing_argument"):
        return "is required"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "string_type":
        return f"must be a string (got {got!r})"
    if kind == "bool_type":
        return f"must be true or false (got {got!r})"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number (got {got!r})"
    if kind in ("float_type", "float_parsing", "finite_number"):
        return f"must be a finite number (got {got!r})"
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {ctx.get('ge', ctx.get('gt'))} (got {got!r})"
    if kind in ("less_than_equal", "less_than"):
        return f"must be at most {ctx.get('le', ctx.get('lt'))} (got {got!r})"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "")
        return f"must be one of {expected} (got {got!r})"
    if kind in ("dataclass_type", "dataclass_args_type", "dict_type"):
        return "must be a table"
    return f"{err['msg'].lower()} (got {got!r})"
