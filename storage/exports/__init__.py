"""The official Excel tables the campaign plans ask for (see docs/exports.md).

``TABLES`` names each table; ``export_table`` builds one in a scope and writes it.
Read-only: nothing here adds, changes or commits anything.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from storage.exports.base import ExportRequest, Scope, Sheet, TableSpec
from storage.exports.registry import TABLES
from storage.exports.scope import ScopeError, resolve_scope
from storage.exports.writer import Progress, write_sheet


def export_table(
    session: Session,
    key: str,
    request: ExportRequest,
    path: str | Path,
    progress: Progress | None = None,
) -> Sheet:
    """Build table ``key`` for ``request`` and write it to ``path``; returns the sheet."""
    sheet = TABLES[key].build(session, request)
    write_sheet(sheet, path, progress)
    return sheet


__all__ = [
    "TABLES",
    "ExportRequest",
    "Scope",
    "ScopeError",
    "Sheet",
    "TableSpec",
    "export_table",
    "resolve_scope",
]
