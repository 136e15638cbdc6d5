"""The official Excel tables the campaign plans ask for (see docs/exports.md).

``TABLES`` names each table; ``export_table`` builds one in a scope and writes it.
Read-only: nothing here adds, changes or commits anything.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from storage.exports.base import Book, ExportRequest, Scope, Sheet, SignOff, TableSpec
from storage.exports.registry import TABLES, tables_for
from storage.exports.scope import ScopeError, resolve_scope
from storage.exports.writer import Progress, write_book
from storage.masking import mask_numbers


def signoff_for(request: ExportRequest) -> SignOff:
    """填报单位 is the scope's unit, 填报人 the person exported as (``--as``), 日期 today;
    审核人 is left for a pen."""
    viewer = request.scope.viewer
    return SignOff(
        unit=request.scope.unit_label,
        filled_by=viewer.name if viewer is not None else "",
        day=request.today,
    )


def export_table(
    session: Session,
    key: str,
    request: ExportRequest,
    path: str | Path,
    progress: Progress | None = None,
) -> Book:
    """Build table ``key`` for ``request`` and write it to ``path``; returns the book
    (one sheet for a list; one per village, household or cadre for the forms).

    Personal numbers in the text cells are masked unless the seed form itself has a
    phone column (``TableSpec.has_phone``).
    """
    spec = TABLES[key]
    built = spec.build(session, request)
    book = built if isinstance(built, Book) else Book(built.title, (built,), len(built.rows))
    mask = None if spec.has_phone else mask_numbers
    write_book(book, path, progress, signoff_for(request), mask)
    return book


__all__ = [
    "TABLES",
    "Book",
    "ExportRequest",
    "Scope",
    "ScopeError",
    "Sheet",
    "TableSpec",
    "export_table",
    "resolve_scope",
    "tables_for",
]
