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
from storage.masking import mask_numbers


def export_table(
    session: Session,
    key: str,
    request: ExportRequest,
    path: str | Path,
    progress: Progress | None = None,
) -> Sheet:
    """Build table ``key`` for ``request`` and write it to ``path``; returns the sheet.

    Personal numbers in the text cells are masked unless the seed form itself has a
    phone column (``TableSpec.has_phone``).
    """
    spec = TABLES[key]
    sheet = spec.build(session, request)
    write_sheet(sheet, path, progress, mask=None if spec.has_phone else mask_numbers)
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
